export * from './assertions';
export * from './admin-assertion';
