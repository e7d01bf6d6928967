import { Inject, Injectable, Logger } from '@nestjs/common';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { RequestStore } from './request.store';

/**
 * Every ca-core looks, every SIGNET_STRANDED_SWEEP_MS, for requests left in
 * process by a process that died or lost its database connection (their
 * lease, SIGNET_REQUEST_LEASE_MS, ran out without renewal) and parks them
 * as pending with a reason, so their submitter's retry is answered and an
 * administrator can resubmit them (ADR 0034). Replicas share the work:
 * the sweep skips rows another one holds.
 */
@Injectable()
export class StrandedSweeper {
  private readonly log = new Logger('StrandedSweeper');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly store: RequestStore,
  ) {}

  /** One sweep now (at start, before the bus subscribes), then one every interval. */
  async start(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((e) => this.log.warn(`sweep failed, trying again in ${this.config.strandedSweepMs} ms: ${(e as Error)?.message ?? String(e)}`))
        .finally(() => (this.running = undefined));
    }, this.config.strandedSweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async sweep(): Promise<number[]> {
    const parked = await this.store.parkExpired(this.config.caName, this.config.requestLeaseMs);
    if (parked.length) this.log.warn(`parked ${parked.length} interrupted request(s) as pending: ${parked.join(', ')}`);
    return parked;
  }
}
