export * from './key-usage';
export * from './ext-key-usage';
export * from './basic-constraints';
export * from './subject-alt-name';
export * from './key-identifier';
export { ipFromBytes, ipToBytes } from './ip-address';
