export { CrlBuilder, buildCrl } from './crl';
export type { CrlSpec } from './crl';
export type { CrlEntry } from './crl-entry';
