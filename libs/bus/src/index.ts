export * from './connection';
export * from './codec';
export * from './errors';
export * from './client';
export * from './server';
export * from './jetstream';
export * from './microservice';
export * from './retry';
