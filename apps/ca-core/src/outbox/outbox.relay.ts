import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventPublisher } from '@signet/bus';
import { DataSource } from 'typeorm';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';

interface OutboxRow {
  id: string;
  event_id: string;
  subject: string;
  payload: unknown;
}

/**
 * Publishes committed outbox rows to JetStream. Rows are claimed with
 * SKIP LOCKED, so several ca-core replicas share the work without
 * publishing a row twice at the same time; a crash between publish and
 * mark is harmless because JetStream drops the repeat by message id.
 */
@Injectable()
export class OutboxRelay {
  private readonly log = new Logger('OutboxRelay');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private wakeRequested = false;
  private stopped = true;

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
    private readonly publisher: EventPublisher,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Ask for a run soon (after a commit that wrote events). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Publishes what is left, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.drainOnce().catch((e) => this.log.warn(`final outbox flush failed: ${(e as Error).message}`));
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    let more = false;
    this.running = (async () => {
      try {
        more = await this.drainOnce();
      } catch (e) {
        this.log.warn(`outbox relay: ${(e as Error).message}`);
      }
    })();
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const again = more || this.wakeRequested;
    this.wakeRequested = false;
    this.schedule(again ? 0 : this.config.outboxPollMs);
  }

  /** One batch; true when there may be more. */
  async drainOnce(batch = 100): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const rows: OutboxRow[] = await m.query(
        `SELECT id, event_id, subject, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batch],
      );
      const done: string[] = [];
      for (const r of rows) {
        try {
          await this.publisher.publish(r.subject, r.payload, r.event_id);
          done.push(r.id);
        } catch (e) {
          await m.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [r.id, (e as Error).message.slice(0, 500)]);
          break; // keep order: retry this one before later events
        }
      }
      if (done.length) await m.query(`UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`, [done]);
      return rows.length === batch && done.length === rows.length;
    });
  }
}
