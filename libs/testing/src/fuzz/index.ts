export * from './prng';
export * from './der';
export * from './csr';
