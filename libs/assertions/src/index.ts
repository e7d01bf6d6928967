export * from './assertions';
export * from './admin-assertion';
export * from './admin-command';
