import { ExitEvent, type CaEvent } from '@signet/contracts';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ResolvedModule } from '../../config/exit-config';
import { ConfiguredModule, PermanentDeliveryError, type DeliveryContext } from '../types';

type FileConfig = Extract<ResolvedModule, { type: 'file' }>;

const PEM_RE = /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----\r?\n?$/;

type Job = { op: 'write'; directory: string; files: Array<{ path: string; bytes: Uint8Array }> } | { op: 'remove'; directory: string; paths: string[] };
type Reply = { id: number; written: number } | { id: number; error: string; code?: string; permanent: boolean };

/**
 * AD CS's default exit module publishing to the file system: every issued
 * (or retrieved, or imported) certificate becomes `<serial>.pem` and
 * `<serial>.der` in one directory. Writes are atomic (temporary file, fsync,
 * rename, fsync of the directory) and idempotent: a file already holding the
 * same bytes is left untouched, so a redelivered event writes nothing.
 * A different certificate under the same serial is never overwritten.
 *
 * The file system work runs on a writer thread of the module's own
 * (file-writer.worker.js), one message per tick's events: cheaper than a
 * round trip through libuv's pool per system call, and a hanging directory (a
 * stuck network share) holds up this module only. An attempt cut by its
 * deadline stops waiting; the write may still finish, which is harmless
 * (idempotent) and the retry then finds the files in place.
 */
export class FilePublisher extends ConfiguredModule<FileConfig> {
  /** Files actually written (not skipped as identical); for logs and tests. */
  writes = 0;
  private worker?: Worker;
  private readonly waiting = new Map<number, { resolve: (written: number) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private queued: Array<Job & { id: number }> = [];

  constructor(cfg: FileConfig) {
    super(cfg);
  }

  async handle(event: CaEvent, ctx: DeliveryContext): Promise<void> {
    if (event.event === ExitEvent.CertificateRevoked) {
      if (!this.cfg.removeOnRevoke || !event.serial) return;
      await this.run({ op: 'remove', directory: this.cfg.directory, paths: this.cfg.formats.map((f) => join(this.cfg.directory, `${event.serial}.${f}`)) }, ctx.signal);
      return;
    }
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
    const written = await this.run({ op: 'write', directory: this.cfg.directory, files }, ctx.signal);
    this.writes += written;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.queued = [];
    this.failAll(new Error('the file publisher is closing'));
    await w?.terminate();
  }

  private run(job: Job, signal: AbortSignal): Promise<number> {
    if (signal.aborted) return Promise.reject(new Error('attempt cut short'));
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      const onAbort = () => {
        this.waiting.delete(id);
        reject(new Error('attempt cut short while writing'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, {
        resolve: (n) => (signal.removeEventListener('abort', onAbort), resolve(n)),
        reject: (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
      });
      this.queued.push({ id, ...job });
      // The jobs of one tick go to the writer thread as one message (each message costs a wake-up of it).
      if (this.queued.length === 1) setImmediate(() => this.post());
    });
  }

  private post(): void {
    const jobs = this.queued;
    this.queued = [];
    if (jobs.length) this.writer().postMessage(jobs);
  }

  private writer(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(join(__dirname, 'file-writer.worker.js'));
    w.unref(); // the service's connections keep it alive, not this thread
    w.on('message', (replies: Reply[]) => {
      for (const r of replies) {
        const waiter = this.waiting.get(r.id);
        this.waiting.delete(r.id);
        if (!waiter) continue; // its attempt was cut already
        if ('written' in r) waiter.resolve(r.written);
        else waiter.reject(r.permanent ? new PermanentDeliveryError(r.error) : Object.assign(new Error(r.error), { code: r.code }));
      }
    });
    const gone = (e: Error) => {
      if (this.worker === w) this.worker = undefined; // the next event starts a new one
      this.failAll(e);
    };
    w.on('error', gone);
    w.on('exit', (code) => gone(new Error(`the file writer thread stopped (exit code ${code})`)));
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) w.reject(e);
  }
}
