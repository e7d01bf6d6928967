import { ExitEvent, type CaEvent } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { type ResolvedModule } from '../../config/exit-config';
import { ConfiguredModule, PermanentDeliveryError, type DeliveryContext } from '../types';

type FileConfig = Extract<ResolvedModule, { type: 'file' }>;

const PEM_RE = /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----\r?\n?$/;

/**
 * AD CS's default exit module publishing to the file system: every issued
 * (or retrieved, or imported) certificate becomes `<serial>.pem` and
 * `<serial>.der` in one directory. Writes are atomic (temporary file, fsync,
 * rename, fsync of the directory) and idempotent: a file already holding the
 * same bytes is left untouched, so a redelivered event writes nothing.
 * A different certificate under the same serial is never overwritten.
 *
 * The directory is created and opened once; renames that happen while a
 * directory fsync is running share the next one (one fsync covers every
 * rename before it), so concurrent deliveries do not each pay for their own.
 */
export class FilePublisher extends ConfiguredModule<FileConfig> {
  /** Files actually written (not skipped as identical); for logs and tests. */
  writes = 0;
  private directory?: Promise<FileHandle>;
  private readonly dirSync = new Coalesced();
  /** Temporary names: unique per process (replicas may share the directory) without a random draw per file. */
  private readonly tmpPrefix = `.${randomBytes(6).toString('hex')}`;
  private tmpCounter = 0;

  constructor(cfg: FileConfig) {
    super(cfg);
  }

  async handle(event: CaEvent, ctx: DeliveryContext): Promise<void> {
    if (event.event === ExitEvent.CertificateRevoked) return this.remove(event);
    let pem = event.certificate;
    let serial = event.serial;
    if (!pem) {
      // Retrieved events carry only the context: read the certificate back (ICertServerExit).
      if (event.requestId === undefined) throw new PermanentDeliveryError(`event ${event.id} has neither a certificate nor a request id`);
      const rb = await ctx.readBack();
      if (!rb.certificate) return; // nothing issued for this request: nothing to publish
      pem = rb.certificate.rawCertificate;
      serial = rb.certificate.serial;
    }
    const m = PEM_RE.exec(pem);
    if (!m || !serial) throw new PermanentDeliveryError(`event ${event.id} has no usable certificate`);
    // PEM exactly as the CA sent it (the same text the client got); DER is its base64 body.
    const files = this.cfg.formats.map((format) => ({ path: join(this.cfg.directory, `${serial}.${format}`), bytes: format === 'pem' ? Buffer.from(pem) : Buffer.from(m[1].replace(/\s+/g, ''), 'base64') }));
    const missing: typeof files = [];
    for (const f of files) if (!(await this.alreadyWritten(f.path, f.bytes))) missing.push(f);
    if (!missing.length) return;
    for (let pass = 1; ; pass++) {
      try {
        const dir = await this.openDirectory();
        for (const f of missing) {
          if (ctx.signal.aborted) throw new Error('attempt cut short');
          await this.writeAtomically(f.path, f.bytes);
        }
        // The renames are durable only once the directory entries are on disk.
        await this.dirSync.run(() => dir.sync());
        break;
      } catch (e) {
        // The directory may have been removed or replaced: open (and create) it afresh.
        this.forgetDirectory();
        if (pass === 1 && (e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
    }
    this.writes += missing.length;
  }

  async close(): Promise<void> {
    this.forgetDirectory();
  }

  /** True when `path` holds exactly `bytes`; a different content there is a permanent failure. */
  private async alreadyWritten(path: string, bytes: Buffer): Promise<boolean> {
    const existing = await readFile(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (!existing) return false;
    if (existing.equals(bytes)) return true;
    throw new PermanentDeliveryError(`${path} already holds a different certificate; refusing to overwrite it`);
  }

  private async writeAtomically(path: string, bytes: Buffer): Promise<void> {
    const tmp = join(this.cfg.directory, `${this.tmpPrefix}.${++this.tmpCounter}.tmp`);
    try {
      const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  private openDirectory(): Promise<FileHandle> {
    this.directory ??= mkdir(this.cfg.directory, { recursive: true, mode: 0o755 }).then(() => open(this.cfg.directory, constants.O_RDONLY | constants.O_DIRECTORY));
    return this.directory;
  }

  private forgetDirectory(): void {
    const d = this.directory;
    this.directory = undefined;
    void d?.then((fh) => fh.close()).catch(() => undefined);
  }

  private async remove(event: CaEvent): Promise<void> {
    if (!this.cfg.removeOnRevoke || !event.serial) return;
    for (const format of this.cfg.formats) await rm(join(this.cfg.directory, `${event.serial}.${format}`), { force: true });
    const dir = await this.openDirectory().catch(() => undefined);
    if (dir) await this.dirSync.run(() => dir.sync()).catch(() => this.forgetDirectory());
  }
}

/**
 * Runs an operation on behalf of every caller that asks while it is idle or
 * queued (group commit): a caller that arrives while a run is in progress
 * gets the next run, which starts when that one ends, so its own effects
 * are covered.
 */
export class Coalesced {
  private running?: Promise<void>;
  private next?: Promise<void>;

  run(op: () => Promise<void>): Promise<void> {
    if (!this.running) return (this.running = this.start(op));
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return (this.running = this.start(op));
      });
    return this.next;
  }

  private start(op: () => Promise<void>): Promise<void> {
    const p = op().finally(() => {
      if (this.running === p) this.running = undefined;
    });
    return p;
  }
}
