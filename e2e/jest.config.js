// Cross-service tests: all five services from dist/, real NATS, real PostgreSQL.
// scripts/test.sh builds before running these.
const preset = require('../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'e2e',
  rootDir: __dirname,
  testTimeout: 120_000,
  maxWorkers: 1,
};
