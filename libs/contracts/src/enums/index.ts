export * from './disposition';
export * from './events';
