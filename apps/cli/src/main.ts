#!/usr/bin/env node
import { run } from './cli';
import { systemIo } from './io';

/*
 * signet: the command line for enrollees and operators. Its verbs need
 * nothing beyond Node.js itself (global fetch, node:util parseArgs), except
 * `signet cert`, which loads @signet/x509 when it runs to build its request
 * (Node ≥ 20.19). See apps/cli/README.md.
 */

// A reader that stops early (`signet view | head`) closes the pipe: that ends the output, it is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

void run(process.argv.slice(2), systemIo()).then((code) => {
  process.exitCode = code;
});
