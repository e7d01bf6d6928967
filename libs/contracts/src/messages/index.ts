export * from './common';
export * from './submit';
export * from './ca';
export * from './policy';
export * from './modules';
export * from './events';
export * from './admin';
export * from './exit';
