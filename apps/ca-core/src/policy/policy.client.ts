import { Inject, Injectable, Logger } from '@nestjs/common';
import { BusClient, exponentialBackoff, retryWithBackoff } from '@signet/bus';
import {
  Commands,
  ErrorCode,
  SignetError,
  type CaInfo,
  type PolicyInitReply,
  type PolicyVerifyReplyParsed,
  type PolicyVerifyRequest,
} from '@signet/contracts';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';

/**
 * ca-core's narrow view of the policy module: Initialize and VerifyRequest.
 * Initialize is retried in the background until the policy answers; until
 * then `ready` is false and submissions are parked as pending. A
 * submission that finds it not initialized first asks once more, right
 * away (ADR 0020): right after start the backoff may be sleeping although
 * the policy module has come up meanwhile, and the submission would be
 * parked for nothing. When the module is really away the attempt fails as
 * fast as a verify would (no responders), so nothing waits longer.
 */
@Injectable()
export class PolicyClient {
  private readonly log = new Logger('PolicyClient');
  private info?: PolicyInitReply;
  private readonly stopping = new AbortController();
  private initializing = false;
  private init?: { ca: CaInfo; onReady: (info: PolicyInitReply) => Promise<void> };
  /** Initialize attempts started so far. */
  private attempts = 0;
  /** Submissions waiting for an attempt that starts after `after`. */
  private waiters: Array<{ after: number; resolve: () => void }> = [];
  /** Ends the backoff sleep between two attempts early. */
  private wake?: () => void;

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly bus: BusClient,
  ) {}

  get ready(): boolean {
    return this.info !== undefined;
  }

  get description(): PolicyInitReply | undefined {
    return this.info;
  }

  /** Starts ICertPolicy::Initialize, retrying with backoff until it answers. */
  startInitialize(ca: CaInfo, onReady: (info: PolicyInitReply) => Promise<void>): void {
    this.init = { ca, onReady };
    this.runInitialize();
  }

  private runInitialize(): void {
    if (this.initializing || !this.init) return;
    this.initializing = true;
    const { ca, onReady } = this.init;
    // The backoff grows only with the waits actually slept: an attempt a submission asked for comes at once and costs no step.
    let slept = 0;
    const backoff = exponentialBackoff({ initialDelayMs: 250, maxDelayMs: 10_000 });
    void (async () => {
      await retryWithBackoff(
        async () => {
          const attempt = ++this.attempts;
          try {
            const info = await this.bus.call(Commands.policyInit, this.config.caName, { ca }, { timeoutMs: this.config.policyTimeoutMs, unavailable: ErrorCode.PolicyUnavailable });
            this.info = info;
            this.settle(attempt);
            this.log.log(`policy module ${info.name} ${info.version} initialized (${info.templates.length} templates)`);
            await onReady(info).catch((e) => this.log.warn(`recording the policy module failed: ${(e as Error).message}`));
          } catch (e) {
            this.settle(attempt);
            throw e;
          }
        },
        {
          attempts: Infinity,
          delayMs: () => backoff(slept + 1),
          signal: this.stopping.signal,
          // Whatever the policy module answers now, a restarted or reconfigured one may answer otherwise.
          retryable: () => true,
          onFailure: (e, _attempt, delay) => {
            if (this.waiters.length === 0) this.log.warn(`policy module not available yet (${(e as Error).message}); retrying in ${delay} ms`);
          },
          // A submission is waiting for a newer answer than this one: ask again at once.
          wait: (ms, signal) => (this.waiters.length > 0 ? Promise.resolve() : (slept++, this.sleep(ms, signal))),
        },
      );
      this.initializing = false;
      this.settle(Infinity);
    })();
  }

  /** Lets go of the submissions waiting for an attempt up to `attempt`. */
  private settle(attempt: number): void {
    const done = this.waiters.filter((w) => w.after < attempt);
    this.waiters = this.waiters.filter((w) => w.after >= attempt);
    for (const w of done) w.resolve();
  }

  /** The backoff wait; ends early when a submission wakes it or ca-core stops. */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /** Resolves after an Initialize attempt that started after this call (shared by everyone waiting). */
  private attemptNow(): Promise<void> {
    if (!this.init || this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ after: this.attempts, resolve });
      if (this.initializing) this.wake?.();
      else this.runInitialize();
    });
  }

  /** ICertPolicy::VerifyRequest. Unreachable → POLICY_UNAVAILABLE; other errors pass through. */
  async verify(req: PolicyVerifyRequest): Promise<PolicyVerifyReplyParsed> {
    if (!this.info) await this.attemptNow();
    if (!this.info) throw new SignetError(ErrorCode.PolicyUnavailable, 'the policy module has not initialized yet');
    try {
      return await this.bus.call(Commands.policyVerify, this.config.caName, req, { timeoutMs: this.config.policyTimeoutMs, unavailable: ErrorCode.PolicyUnavailable });
    } catch (e) {
      if (e instanceof SignetError && e.code === ErrorCode.PolicyUnavailable) {
        // The module went away: report "no-policy" and Initialize it again when it is back.
        this.log.warn('policy module stopped answering; initializing again');
        this.info = undefined;
        this.runInitialize();
      }
      throw e;
    }
  }

  /** Stops retrying Initialize (a sleeping retry ends now). */
  stop(): void {
    this.stopping.abort();
  }
}
