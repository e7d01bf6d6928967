import { isSignetError } from '@signet/contracts';
import { setTimeout as sleep } from 'node:timers/promises';

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
  private readonly delayMs: (attempt: number) => number;
  private readonly wait: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly opts: AnnouncerOptions) {
    this.attempts = opts.attempts ?? 5;
    this.delayMs = opts.delayMs ?? ((n) => Math.min(1000 * 2 ** (n - 1), 30_000));
    this.wait = opts.wait ?? ((ms, signal) => sleep(ms, undefined, { signal, ref: false }));
  }

  async run(): Promise<AnnounceOutcome> {
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (this.abort.signal.aborted) return 'stopped';
      try {
        await this.opts.register();
        this.opts.log.log('registered with ca-core');
        return 'registered';
      } catch (e) {
        if (this.abort.signal.aborted) return 'stopped';
        if (isSignetError(e) && !e.retryable) {
          // ca-core answered and said no: retrying the same message will not change its mind.
          this.opts.log.warn(`ca-core refused the module registration: ${e.code} ${e.message}`);
          return 'refused';
        }
        this.opts.log.debug(`module registration attempt ${attempt}/${this.attempts} failed: ${(e as Error).message}`);
      }
      if (attempt < this.attempts) {
        try {
          await this.wait(this.delayMs(attempt), this.abort.signal);
        } catch {
          return 'stopped';
        }
      }
    }
    this.opts.log.debug('module registration gave up; ca-core will find this module when it calls policy init');
    return 'gave-up';
  }

  /** Ends a pending wait; called on shutdown. */
  stop(): void {
    this.abort.abort();
  }
}
