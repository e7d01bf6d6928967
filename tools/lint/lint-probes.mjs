// Lints source texts that exist only in memory, as if they were files at the
// given paths, with the workspace's eslint.config.mjs (ESLint's Node API).
// Reads [{filePath, code}] as JSON on stdin, prints [{filePath, messages}].
// A child process of boundaries.spec.ts: ESLint loads its flat config with
// import(), which Jest's module sandbox cannot do.
import { ESLint } from 'eslint';
import { text } from 'node:stream/consumers';

const probes = JSON.parse(await text(process.stdin));
const eslint = new ESLint({ cwd: process.cwd() });
const results = [];
for (const { filePath, code } of probes) {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  results.push({ filePath, messages: result.messages.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })) });
}
process.stdout.write(JSON.stringify(results));
