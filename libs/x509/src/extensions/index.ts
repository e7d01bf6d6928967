export * from './key-usage';
export * from './ext-key-usage';
export * from './basic-constraints';
export * from './subject-alt-name';
export * from './key-identifier';
export { ipFromBytes, ipToBytes } from './ip-address';
export * from './distribution-points';
export * from './authority-info-access';
export { checkAccessUri, MAX_URI_LENGTH } from './uri';
