import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type MsgRequest } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { decodeJson, encodeJson } from '@signet/bus';
import { assertCaName, CaEventSchema, DeadLetterSchema, type CaEvent, type DeadLetter } from '@signet/contracts';
import { z } from 'zod';

/**
 * Dead letters live in their own JetStream stream, so exit-service needs no
 * database and a dead letter survives restarts like the events do. One
 * message per (module, event) that failed its last attempt, holding the
 * original event, so a replay does not depend on SIGNET_EVENTS still
 * keeping it. The stream sequence is the dead letter's id; replaying
 * successfully deletes the message.
 */
export const DeadLetters = {
  stream: 'SIGNET_DEADLETTERS',
  streamSubjects: ['deadletter.>'],
  /** `deadletter.<ca>.<module>` (module names may hold dots: more tokens, still under the CA's branch). */
  subject: (ca: string, module: string) => `deadletter.${assertCaName(ca)}.${module}`,
  allOfCa: (ca: string) => `deadletter.${assertCaName(ca)}.>`,
} as const;

const StoredSchema = z.object({ deadLetter: DeadLetterSchema.omit({ id: true }), event: CaEventSchema });
export type StoredDeadLetter = { deadLetter: DeadLetter; event: CaEvent };

/** Far more than anyone replays by hand; a full stream refuses new dead letters (the event then stays in its consumer). */
const MAX_DEAD_LETTERS = 1_000_000;
const DUPLICATE_WINDOW_NS = 10 * 60 * 1e9;

export class DeadLetterStore {
  private js!: JetStreamClient;
  private jsm!: JetStreamManager;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ca: string,
  ) {}

  /** Creates the stream when missing (several replicas may race; the loser reads the winner's). */
  async init(): Promise<void> {
    this.jsm = await jetstreamManager(this.nc);
    this.js = jetstream(this.nc);
    try {
      await this.jsm.streams.info(DeadLetters.stream);
      return;
    } catch {
      // missing: create below
    }
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

  /**
   * Records one dead letter. The message id makes a second record of the
   * same (module, event) within the duplicate window a no-op, e.g. when the
   * sentinel delivery follows an attempt that did record it.
   */
  async add(d: Omit<DeadLetter, 'id'>, event: CaEvent): Promise<string> {
    const ack = await this.js.publish(DeadLetters.subject(this.ca, d.module), encodeJson({ deadLetter: d, event }), {
      msgID: `${d.module}/${d.eventId}`,
      timeout: 5_000,
    });
    return String(ack.seq);
  }

  /** Oldest first, this CA only, optionally one module. */
  async list(opts: { module?: string; limit: number }): Promise<DeadLetter[]> {
    // Always the CA's wildcard, the module picked out here: nats-server 2.9.10 misses messages of a
    // literal next_by_subj once that subject's first and last messages were deleted (a replay or a
    // discard does that), while its wildcard search finds them (dead-letter.store.int.spec.ts).
    const only = opts.module ? DeadLetters.subject(this.ca, opts.module) : undefined;
    const out: DeadLetter[] = [];
    let seq = 1;
    while (out.length < opts.limit) {
      // STREAM.MSG.GET honours next_by_subj since nats-server 2.9; the client types list it only for direct get.
      const next = { seq, next_by_subj: DeadLetters.allOfCa(this.ca) } as unknown as MsgRequest;
      const m = await this.jsm.streams.getMessage(DeadLetters.stream, next);
      if (!m) break;
      const parsed = only === undefined || m.subject === only ? parseStored(m.seq, m.data) : undefined;
      if (parsed) out.push(parsed.deadLetter);
      seq = m.seq + 1;
    }
    return out;
  }

  /** How many dead letters a module of this CA has (the stream counts them per subject; nothing is read). */
  async count(module: string): Promise<number> {
    const subject = DeadLetters.subject(this.ca, module);
    const info = await this.jsm.streams.info(DeadLetters.stream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
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
}

function parseStored(seq: number, data: Uint8Array): StoredDeadLetter | undefined {
  try {
    const r = StoredSchema.safeParse(decodeJson(data));
    return r.success ? { deadLetter: { id: String(seq), ...r.data.deadLetter }, event: r.data.event } : undefined;
  } catch {
    return undefined;
  }
}
