import { FrontDoorSigner } from '../auth/front-door-signer';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { exponentialBackoff, retryWithBackoff } from '@signet/bus';
import { setTimeout as sleep } from 'node:timers/promises';
import { CaClient } from '../bus/ca-client';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { DiscoveryService } from '../discovery/discovery.service';
import { filesStamp, readCredentialFiles, type TlsCredentials } from './credentials';
import { nextTimerDelay, renewalTime } from './renewal';
import { SelfEnrollment } from './self-enrollment';

/** Waits between failed attempts at the first certificate or a renewal. */
const BACKOFF = exponentialBackoff({ initialDelayMs: 1_000, maxDelayMs: 60_000 });

/** What /readyz says of HTTPS while it has no certificate yet. */
export const READY = 'ready';

/**
 * The HTTPS listener's certificate (ADR 0029): read from files at start and
 * again whenever they change (checked every SIGNET_TLS_FILES_POLL_MS; a pair
 * that does not belong together, e.g. caught half-written, is not taken and
 * the current certificate keeps serving), or
 * issued by this Signet to the intermediary at start and renewed once
 * `SIGNET_TLS_RENEW_FRACTION` of its lifetime has passed, with a fresh key
 * each time. Listeners are told of every new certificate (the HTTPS server
 * swaps its secure context; nothing restarts). A failed renewal is retried
 * with backoff while the current certificate keeps serving.
 */
@Injectable()
export class TlsCertificates implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Tls');
  private readonly stop = new AbortController();
  private readonly listeners: ((c: TlsCredentials) => void)[] = [];
  private credentials?: TlsCredentials;
  private lastError?: string;
  private renewals = 0;
  private stamp?: string;

  constructor(
    @Inject(CONFIG) private readonly config: IntermediaryConfig,
    private readonly cas: CaClient,
    private readonly discovery: DiscoveryService,
  ) {
    // Files are read while the app is built: a missing or mismatched file stops the process at start.
    if (config.tls.mode === 'files') {
      this.stamp = filesStamp(config.tls.files!);
      this.credentials = readCredentialFiles(config.tls.files!, (m) => this.log.warn(m));
    }
  }

  get enabled(): boolean {
    return this.config.tls.mode !== 'off';
  }

  /** The certificate served now, if any. */
  current(): TlsCredentials | undefined {
    return this.credentials;
  }

  /** Called with the current certificate at once (if any) and with every later one. */
  onChange(listener: (c: TlsCredentials) => void): void {
    this.listeners.push(listener);
    if (this.credentials) listener(this.credentials);
  }

  /** For /readyz: `ready`, `not required` (HTTPS off), or why there is no certificate yet. */
  status(): string {
    if (!this.enabled) return 'not required';
    if (this.credentials) return READY;
    return `waiting for the intermediary's own TLS certificate${this.lastError ? ` (last attempt: ${this.lastError})` : ''}`;
  }

  onApplicationBootstrap(): void {
    if (this.config.tls.mode === 'files' && this.config.tls.filesPollMs > 0) void this.watchFiles();
    if (this.config.tls.mode !== 'self-issued') return;
    const enrollment = new SelfEnrollment(this.cas, this.config.tls, new FrontDoorSigner(this.config));
    void this.keepCertified(enrollment).catch((e) => this.log.error(`TLS certificate renewal stopped: ${(e as Error).message}`));
  }

  onApplicationShutdown(): void {
    this.stop.abort();
  }

  /** Obtains a certificate, waits until it is due for renewal, and again, until shutdown. */
  private async keepCertified(enrollment: SelfEnrollment): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      const got = await retryWithBackoff(() => this.obtain(enrollment), {
        attempts: Infinity,
        delayMs: BACKOFF,
        signal,
        retryable: () => true,
        onFailure: (e, attempt, next) => {
          this.lastError = (e as Error).message;
          this.log.warn(`${this.credentials ? 'renewing the' : 'obtaining a'} TLS certificate failed (attempt ${attempt}): ${this.lastError}; retrying in ${Math.round((next ?? 0) / 1000)} s`);
        },
      });
      if (got.outcome !== 'done') return;
      this.install(got.value);
      const due = renewalTime(got.value.notBefore, got.value.notAfter, this.config.tls.renewFraction);
      this.log.log(`TLS certificate ${got.value.serial} for ${this.config.tls.names.map((n) => n.value).join(', ')} valid until ${got.value.notAfter.toISOString()}; renewal at ${due.toISOString()}`);
      // Timers hold at most ~24.8 days: longer waits are taken in steps.
      while (!signal.aborted && Date.now() < due.getTime()) {
        await sleep(nextTimerDelay(due, new Date()), undefined, { signal, ref: false }).catch(() => undefined);
      }
    }
  }

  /** Files mode: takes the files again when they changed (a certificate renewed by certbot, a rotated secret). */
  private async watchFiles(): Promise<void> {
    const signal = this.stop.signal;
    const files = this.config.tls.files!;
    while (!signal.aborted) {
      await sleep(this.config.tls.filesPollMs, undefined, { signal, ref: false }).catch(() => undefined);
      if (signal.aborted) return;
      this.reloadFiles(files);
    }
  }

  /** One check of the files: read again only when their stamp changed, installed only when they hold a good, new pair. */
  private reloadFiles(files: { cert: string; key: string; chain?: string }): void {
    const stamp = filesStamp(files);
    if (stamp === this.stamp) return;
    let next: TlsCredentials;
    try {
      next = readCredentialFiles(files, (m) => this.log.warn(m));
    } catch (e) {
      // Not remembered as seen: the next check tries again (the other file may still be on its way).
      const message = (e as Error).message;
      if (message !== this.lastError) this.log.warn(`the TLS files changed but cannot be used: ${message}; still serving certificate ${this.credentials?.serial}`);
      this.lastError = message;
      return;
    }
    this.stamp = stamp;
    if (next.cert === this.credentials?.cert && next.key === this.credentials?.key) return;
    this.install(next);
    this.log.log(`TLS certificate ${next.serial} read from ${files.cert} (valid until ${next.notAfter.toISOString()})`);
  }

  private async obtain(enrollment: SelfEnrollment): Promise<TlsCredentials> {
    const ca = this.config.tls.ca ?? (await this.discovery.resolveDefault()).ca.name;
    return enrollment.attempt(ca);
  }

  private install(c: TlsCredentials): void {
    if (this.credentials) this.renewals++;
    this.credentials = c;
    this.lastError = undefined;
    for (const l of this.listeners) l(c);
  }

  /** How many times the certificate was replaced since start (for tests and the log). */
  get renewed(): number {
    return this.renewals;
  }
}
