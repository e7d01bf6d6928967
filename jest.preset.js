// Shared Jest preset. pkijs, asn1js and Nest 12 ship ESM only; SWC turns them
// (and our TypeScript, with decorator metadata) into CommonJS for Jest.
const path = require('node:path');

const esmOnly = [
  'pkijs', 'asn1js', '@peculiar', '@noble', 'bytestreamjs', '@nestjs', 'file-type', 'load-esm', 'uid',
  'strtok3', 'token-types', 'peek-readable', '@tokenizer', 'uint8array-extras', '@borewit', '@nats-io',
  'pvtsutils', 'pvutils',
];

const libs = ['contracts', 'x509', 'bus', 'config', 'http', 'testing', 'assertions'];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj|cj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: Object.fromEntries(
    libs.map((l) => [`^@signet/${l}$`, path.join(__dirname, 'libs', l, 'src', 'index.ts')]),
  ),
  testMatch: ['**/*.spec.ts'],
  // Integration specs create databases, start nats-server or ca-core in their hooks; on a loaded
  // 2-core machine that can take longer than Jest's 5 s default. A budget, not a speed claim.
  testTimeout: 30_000,
};
