import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type MsgRequest } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { decodeJson, encodeJson } from '@signet/bus';
import { assertCaName, CaEventSchema, DeadLetterSchema, type CaEvent, type DeadLetter } from '@signet/contracts';
import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Dead letters live in their own JetStream stream, so exit-service needs no
 * database and a dead letter survives restarts like the events do. One
 * message per (module, event) that failed its last attempt, holding the
 * original event, so a replay does not depend on SIGNET_EVENTS still
 * keeping it. The stream sequence is the dead letter's id; replaying
 * successfully deletes the message.
 *
 * Each dead letter has a subject of its own (ADR 0015): nats-server 2.9's
 * per-subject index keeps a stale first sequence once messages of a subject
 * that holds several are deleted, and then a subject-filtered read
 * (STREAM.MSG.GET next_by_subj, literal or wildcard, and filtered consumers
 * alike) skips messages that are still there. A subject that only ever
 * holds one message leaves the index when that message goes, so nothing
 * can go stale.
 */
export const DeadLetters = {
  stream: 'SIGNET_DEAD_LETTERS',
  streamSubjects: ['deadletters.>'],
  /**
   * `deadletters.<ca>.<module>.<key>`, the key a hash of (module, event id).
   * Module names may hold dots; the key is always one token, so
   * `deadletters.<ca>.<module>.*` matches that module's and no other's.
   */
  subject: (ca: string, module: string, eventId: string) => `deadletters.${assertCaName(ca)}.${module}.${deadLetterKey(module, eventId)}`,
  ofModule: (ca: string, module: string) => `deadletters.${assertCaName(ca)}.${module}.*`,
  allOfCa: (ca: string) => `deadletters.${assertCaName(ca)}.>`,
  /** Where dead letters were kept before ADR 0015 (one subject per module); moved over at start, then deleted. */
  legacyStream: 'SIGNET_DEADLETTERS',
} as const;

/** One subject token per (module, event): 128 bits of SHA-256, hex. */
export function deadLetterKey(module: string, eventId: string): string {
  return createHash('sha256').update(module).update('\0').update(eventId).digest('hex').slice(0, 32);
}

const StoredSchema = z.object({ deadLetter: DeadLetterSchema.omit({ id: true }), event: CaEventSchema });
export type StoredDeadLetter = { deadLetter: DeadLetter; event: CaEvent };

/** Far more than anyone replays by hand; a full stream refuses new dead letters (the event then stays in its consumer). */
const MAX_DEAD_LETTERS = 1_000_000;
const DUPLICATE_WINDOW_NS = 10 * 60 * 1e9;

export class DeadLetterStore {
  private readonly log = new Logger('DeadLetters');
  private js!: JetStreamClient;
  private jsm!: JetStreamManager;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ca: string,
  ) {}

  /** Creates the stream when missing (several replicas may race; the loser reads the winner's), then moves legacy dead letters over. */
  async init(): Promise<void> {
    this.jsm = await jetstreamManager(this.nc);
    this.js = jetstream(this.nc);
    const exists = await this.jsm.streams.info(DeadLetters.stream).then(
      () => true,
      () => false,
    );
    if (!exists) {
      try {
        await this.jsm.streams.add({
          name: DeadLetters.stream,
          subjects: [...DeadLetters.streamSubjects],
          storage: StorageType.File,
          retention: RetentionPolicy.Limits,
          discard: DiscardPolicy.New,
          max_msgs: MAX_DEAD_LETTERS,
          duplicate_window: DUPLICATE_WINDOW_NS,
        });
      } catch (e) {
        await this.jsm.streams.info(DeadLetters.stream).catch(() => {
          throw e;
        });
      }
    }
    await this.moveLegacy();
  }

  /**
   * Records one dead letter. The message id makes a second record of the
   * same (module, event) within the duplicate window a no-op, e.g. when the
   * sentinel delivery follows an attempt that did record it.
   */
  async add(d: Omit<DeadLetter, 'id'>, event: CaEvent): Promise<string> {
    const ack = await this.js.publish(DeadLetters.subject(this.ca, d.module, d.eventId), encodeJson({ deadLetter: d, event }), {
      msgID: `${d.module}/${d.eventId}`,
      timeout: 5_000,
    });
    return String(ack.seq);
  }

  /** Oldest first, this CA only, optionally one module. */
  async list(opts: { module?: string; limit: number }): Promise<DeadLetter[]> {
    const filter = opts.module ? DeadLetters.ofModule(this.ca, opts.module) : DeadLetters.allOfCa(this.ca);
    const out: DeadLetter[] = [];
    let seq = 1;
    while (out.length < opts.limit) {
      // STREAM.MSG.GET honours next_by_subj since nats-server 2.9; the client types list it only for direct get.
      const next = { seq, next_by_subj: filter } as unknown as MsgRequest;
      const m = await this.jsm.streams.getMessage(DeadLetters.stream, next);
      if (!m) break;
      const parsed = parseStored(m.seq, m.data);
      if (parsed) out.push(parsed.deadLetter);
      seq = m.seq + 1;
    }
    return out;
  }

  /** How many dead letters a module of this CA has (one subject each: the stream counts the subjects; nothing is read). */
  async count(module: string): Promise<number> {
    const info = await this.jsm.streams.info(DeadLetters.stream, { subjects_filter: DeadLetters.ofModule(this.ca, module) });
    return Object.keys(info.state.subjects ?? {}).length;
  }

  async get(id: string): Promise<StoredDeadLetter | undefined> {
    if (!/^[1-9][0-9]{0,15}$/.test(id)) return undefined;
    const m = await this.jsm.streams.getMessage(DeadLetters.stream, { seq: Number(id) }).catch(() => null);
    // Ids are per stream; a dead letter of another CA is not this CA's to show or replay.
    if (!m || !m.subject.startsWith(DeadLetters.allOfCa(this.ca).slice(0, -1))) return undefined;
    return parseStored(m.seq, m.data);
  }

  async remove(id: string): Promise<boolean> {
    return this.jsm.streams.deleteMessage(DeadLetters.stream, Number(id), false).catch(() => false);
  }

  /**
   * Dead letters of every CA recorded before ADR 0015 are republished under
   * their own subjects (the message id deduplicates a replica doing the
   * same at once), oldest first, then the old stream is deleted. It is read
   * by sequence, not by subject, so the stale index cannot hide any.
   */
  private async moveLegacy(): Promise<void> {
    const legacy = await this.jsm.streams.info(DeadLetters.legacyStream).catch(() => null);
    if (!legacy) return;
    let moved = 0;
    for (let seq = legacy.state.first_seq; seq <= legacy.state.last_seq && legacy.state.messages > 0; seq++) {
      const m = await this.jsm.streams.getMessage(DeadLetters.legacyStream, { seq }).catch(() => null);
      const parsed = m ? parseStored(m.seq, m.data) : undefined;
      const ca = m?.subject.split('.')[1];
      if (!parsed || !ca) continue;
      const { id: _old, ...d } = parsed.deadLetter;
      await this.js.publish(DeadLetters.subject(ca, d.module, d.eventId), encodeJson({ deadLetter: d, event: parsed.event }), { msgID: `${d.module}/${d.eventId}`, timeout: 5_000 });
      moved++;
    }
    await this.jsm.streams.delete(DeadLetters.legacyStream).catch(() => false);
    this.log.log(`moved ${moved} dead letter(s) from ${DeadLetters.legacyStream} to ${DeadLetters.stream} (one subject each, ADR 0015)`);
  }
}

function parseStored(seq: number, data: Uint8Array): StoredDeadLetter | undefined {
  try {
    const r = StoredSchema.safeParse(decodeJson(data));
    return r.success ? { deadLetter: { id: String(seq), ...r.data.deadLetter }, event: r.data.event } : undefined;
  } catch {
    return undefined;
  }
}
