export * from './front-door';
export * from './one-time.store';
