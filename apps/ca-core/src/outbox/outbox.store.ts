import { Injectable } from '@nestjs/common';
import { EXIT_EVENT_BIT, Events, type CaEvent, type ExitEvent } from '@signet/contracts';
import { randomUUID } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { Clock, SystemClock } from '../clock';

export type EventFields = Omit<CaEvent, 'id' | 'event' | 'eventBit' | 'ca' | 'occurredAt'>;

/**
 * The transactional outbox: events are written in the same transaction as
 * the state change they describe, and published after the commit by the
 * relay. The event id doubles as the JetStream message id.
 */
@Injectable()
export class OutboxStore {
  constructor(private readonly clock: Clock = new SystemClock()) {}

  async enqueue(m: EntityManager, ca: string, event: ExitEvent, fields: EventFields): Promise<string> {
    const id = randomUUID();
    const payload: CaEvent = { id, event, eventBit: EXIT_EVENT_BIT[event], ca, occurredAt: this.clock.now().toISOString(), ...fields };
    await m.query(`INSERT INTO outbox (event_id, subject, payload) VALUES ($1, $2, $3)`, [id, Events.subject(ca, event), JSON.stringify(payload)]);
    return id;
  }

  /** Several events in one statement, in the order given (a batch's, ADR 0037). */
  async enqueueMany(m: EntityManager, ca: string, events: Array<{ event: ExitEvent; fields: EventFields }>): Promise<string[]> {
    if (events.length === 0) return [];
    const occurredAt = this.clock.now().toISOString();
    const rows = events.map(({ event, fields }) => {
      const id = randomUUID();
      const payload: CaEvent = { id, event, eventBit: EXIT_EVENT_BIT[event], ca, occurredAt, ...fields };
      return { id, subject: Events.subject(ca, event), payload: JSON.stringify(payload) };
    });
    await m.query(
      `INSERT INTO outbox (event_id, subject, payload) SELECT e.id::uuid, e.subject, e.payload::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e(id, subject, payload, n) ORDER BY e.n`,
      [rows.map((r) => r.id), rows.map((r) => r.subject), rows.map((r) => r.payload)],
    );
    return rows.map((r) => r.id);
  }

  /**
   * A message that is not an exit event but must go out after the commit
   * all the same (an admin-token revocation notice, ADR 0024); its subject
   * must be in the event stream. `build` gets the message id and the time.
   */
  async enqueueMessage<T extends { id: string }>(m: EntityManager, subject: string, build: (id: string, occurredAt: string) => T): Promise<T> {
    const payload = build(randomUUID(), this.clock.now().toISOString());
    await m.query(`INSERT INTO outbox (event_id, subject, payload) VALUES ($1, $2, $3)`, [payload.id, subject, JSON.stringify(payload)]);
    return payload;
  }
}
