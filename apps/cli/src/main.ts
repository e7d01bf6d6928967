#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { run } from './cli';

/*
 * signet: the command line for enrollees and operators. No dependency beyond
 * Node.js itself (global fetch, node:util parseArgs), so the built file runs
 * anywhere Node ≥ 20 does. See apps/cli/README.md.
 */
void run(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  readFile: (p) => (p === '-' ? readFileSync(0) : readFileSync(p)),
  writeFile: (p, c) => writeFileSync(p, c, { mode: 0o644 }),
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
