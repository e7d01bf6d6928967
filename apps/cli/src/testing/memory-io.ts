import { type Io } from '../output';

/**
 * An Io for specs: what the CLI prints is collected in `out` and `err`,
 * `files` are what it may read (anything else is ENOENT), and it writes and
 * sleeps nowhere.
 */
export function memoryIo(files: Record<string, string> = {}, env: NodeJS.ProcessEnv = { HOME: '/nonexistent' }): { sink: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const sink: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: (p) => {
      if (p in files) return Buffer.from(files[p]!);
      throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT', path: p });
    },
    writeFile: () => undefined,
    makeDir: () => undefined,
    removeFile: () => undefined,
    sleep: async () => undefined,
    env,
  };
  return { sink, out, err };
}
