import { exponentialBackoff, retryWithBackoff } from '@signet/bus';
import { isSignetError } from '@signet/contracts';

export interface AnnouncerLog {
  log(message: string): void;
  debug(message: string): void;
  warn(message: string): void;
}

export interface AnnouncerOptions {
  /** One registration attempt (a BusClient call to ca.<ca>.module.register). */
  register: () => Promise<unknown>;
  log: AnnouncerLog;
  /** Attempts in all, the first one included. */
  attempts?: number;
  /** Wait before attempt n+1 (n from 1). Defaults to 1 s, 2 s, 4 s ... up to 30 s. */
  delayMs?: (attempt: number) => number;
  /** Injected by tests to run without real time. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export type AnnounceOutcome = 'registered' | 'gave-up' | 'refused' | 'stopped';

/**
 * Tells ca-core that this policy module is up (the late-start path: if
 * ca-core started first it has already called policy.<ca>.init and waits
 * for nobody). Runs in the background and never blocks start: ca-core may
 * be down, in which case it will call init itself when it comes up, so a
 * few quiet retries are enough.
 */
export class ModuleAnnouncer {
  private readonly abort = new AbortController();
  private readonly attempts: number;

  constructor(private readonly opts: AnnouncerOptions) {
    this.attempts = opts.attempts ?? 5;
  }

  async run(): Promise<AnnounceOutcome> {
    const r = await retryWithBackoff(() => this.opts.register(), {
      attempts: this.attempts,
      delayMs: this.opts.delayMs ?? exponentialBackoff({ initialDelayMs: 1_000, maxDelayMs: 30_000 }),
      signal: this.abort.signal,
      wait: this.opts.wait,
      onFailure: (e, attempt) => this.opts.log.debug(`module registration attempt ${attempt}/${this.attempts} failed: ${(e as Error).message}`),
    });
    switch (r.outcome) {
      case 'done':
        this.opts.log.log('registered with ca-core');
        return 'registered';
      case 'refused': {
        // ca-core answered and said no (a SignetError that is not retryable).
        const e = r.error;
        this.opts.log.warn(`ca-core refused the module registration: ${isSignetError(e) ? `${e.code} ${e.message}` : String(e)}`);
        return 'refused';
      }
      case 'gave-up':
        this.opts.log.debug('module registration gave up; ca-core will find this module when it calls policy init');
        return 'gave-up';
      case 'stopped':
        return 'stopped';
    }
  }

  /** Ends a pending wait; called on shutdown. */
  stop(): void {
    this.abort.abort();
  }
}
