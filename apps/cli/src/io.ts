import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { type Io } from './output';

/** The Io of a real run: this process's streams, environment and file system. */
export function systemIo(env: NodeJS.ProcessEnv = process.env): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    readFile: (p) => (p === '-' ? readFileSync(0) : readFileSync(p)),
    writeFile: (p, c, mode) => {
      if (mode === undefined) {
        writeFileSync(p, c, { mode: 0o644 });
        return;
      }
      const tmp = `${p}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        writeFileSync(tmp, c, { mode, flag: 'wx' });
        renameSync(tmp, p);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
    },
    makeDir: (p) => void mkdirSync(p, { recursive: true, mode: 0o700 }),
    removeFile: (p) => rmSync(p, { force: true }),
    sleep: (ms) => delay(ms).then(() => undefined),
    env,
  };
}
