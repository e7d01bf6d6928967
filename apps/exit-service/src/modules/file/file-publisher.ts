import { ExitEvent, type CaEvent } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type ResolvedModule } from '../../config/exit-config';
import { ConfiguredModule, MODULE_VERSION, PermanentDeliveryError, type DeliveryContext } from '../types';

type FileConfig = Extract<ResolvedModule, { type: 'file' }>;

const PEM_RE = /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----\r?\n?$/;

/**
 * AD CS's default exit module publishing to the file system: every issued
 * (or retrieved, or imported) certificate becomes `<serial>.pem` and
 * `<serial>.der` in one directory. Writes are atomic (temporary file, fsync,
 * rename, fsync of the directory) and idempotent: a file already holding the
 * same bytes is left untouched, so a redelivered event writes nothing.
 * A different certificate under the same serial is never overwritten.
 */
export class FilePublisher extends ConfiguredModule<FileConfig> {
  /** Files actually written (not skipped as identical); for logs and tests. */
  writes = 0;

  constructor(cfg: FileConfig) {
    super(cfg);
  }

  async handle(event: CaEvent, ctx: DeliveryContext): Promise<void> {
    if (event.event === ExitEvent.CertificateRevoked) return this.remove(event, ctx);
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
    await mkdir(this.cfg.directory, { recursive: true, mode: 0o755 });
    for (const format of this.cfg.formats) {
      // PEM exactly as the CA sent it (the same text the client got); DER is its base64 body.
      const bytes = format === 'pem' ? Buffer.from(pem) : Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
      if (ctx.signal.aborted) throw new Error('attempt cut short');
      await this.writeOnce(join(this.cfg.directory, `${serial}.${format}`), bytes);
    }
  }

  private async writeOnce(path: string, bytes: Buffer): Promise<void> {
    const existing = await readFile(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (existing) {
      if (existing.equals(bytes)) return;
      throw new PermanentDeliveryError(`${path} already holds a different certificate; refusing to overwrite it`);
    }
    const tmp = join(this.cfg.directory, `.${randomBytes(8).toString('hex')}.tmp`);
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await this.syncDirectory();
    this.writes++;
  }

  /** The rename is durable only once the directory entry is on disk. */
  private async syncDirectory(): Promise<void> {
    const dir = await open(this.cfg.directory, constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private async remove(event: CaEvent, _ctx: DeliveryContext): Promise<void> {
    if (!this.cfg.removeOnRevoke || !event.serial) return;
    for (const format of this.cfg.formats) await rm(join(this.cfg.directory, `${event.serial}.${format}`), { force: true });
    await this.syncDirectory().catch(() => undefined);
  }
}
