import { Inject, Injectable, Logger } from '@nestjs/common';
import { BusClient } from '@signet/bus';
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
 * then `ready` is false and submissions are parked as pending.
 */
@Injectable()
export class PolicyClient {
  private readonly log = new Logger('PolicyClient');
  private info?: PolicyInitReply;
  private stopped = false;
  private initializing = false;
  private init?: { ca: CaInfo; onReady: (info: PolicyInitReply) => Promise<void> };

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
    void (async () => {
      let delay = 250;
      while (!this.stopped && !this.info) {
        try {
          const info = await this.bus.call(Commands.policyInit, this.config.caName, { ca }, { timeoutMs: this.config.policyTimeoutMs, unavailable: ErrorCode.PolicyUnavailable });
          this.info = info;
          this.log.log(`policy module ${info.name} ${info.version} initialized (${info.templates.length} templates)`);
          await onReady(info).catch((e) => this.log.warn(`recording the policy module failed: ${(e as Error).message}`));
        } catch (e) {
          this.log.warn(`policy module not available yet (${(e as Error).message}); retrying in ${delay} ms`);
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 10_000);
        }
      }
      this.initializing = false;
    })();
  }

  /** ICertPolicy::VerifyRequest. Unreachable → POLICY_UNAVAILABLE; other errors pass through. */
  async verify(req: PolicyVerifyRequest): Promise<PolicyVerifyReplyParsed> {
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

  /** Stops retrying Initialize; a sleeping retry ends on its own. */
  stop(): void {
    this.stopped = true;
  }
}
