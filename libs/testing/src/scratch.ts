import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A scratch directory for a spec's files (keys, CSRs, certificates handed
 * to openssl or certtool), under the system's temp dir, removed by
 * `remove()` (call it in afterAll).
 */
export class ScratchDir {
  readonly dir: string;
  private n = 0;

  constructor(prefix = 'signet-test-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A path no other call of this directory returns: `<n>-<name>`. */
  unique(name: string): string {
    return join(this.dir, `${++this.n}-${name}`);
  }

  write(name: string, data: string | Uint8Array, mode?: number): string {
    const p = this.path(name);
    writeFileSync(p, data, mode === undefined ? undefined : { mode });
    return p;
  }

  read(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }

  /** The file's bytes (DER, for example). */
  readBytes(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
