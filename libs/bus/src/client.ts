import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import {
  AnyReplyEnvelopeSchema,
  CaRecordSchema,
  Discovery,
  ErrorCode,
  SignetError,
  type CaRecord,
  type Command,
} from '@signet/contracts';
import { type z } from 'zod';
import { decodeJson, encodeJson } from './codec';
import { describeIssues, fromRequestError } from './errors';

export interface CallOptions {
  timeoutMs?: number;
  /** The code to raise when nobody answers (default CA_UNAVAILABLE). */
  unavailable?: ErrorCode;
  /**
   * NATS headers to send, computed from the exact body bytes that will be
   * published (an admin assertion signs their SHA-256, ADR 0028).
   */
  headers?: (body: Uint8Array) => Promise<Record<string, string>> | Record<string, string>;
}

/**
 * Request/reply on a contract command: validates what it sends and what it
 * gets, and turns error replies back into SignetError. Services wrap it in
 * narrow clients (a PolicyClient with verify(), a CaClient with submit()).
 */
export class BusClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly defaultTimeoutMs = 10_000,
  ) {}

  async call<Req extends z.ZodType, Rep extends z.ZodType>(
    cmd: Command<Req, Rep>,
    ca: string,
    request: z.input<Req>,
    opts: CallOptions = {},
  ): Promise<z.output<Rep>> {
    return this.callOn(cmd, cmd.subject(ca), request, opts);
  }

  /**
   * The same on a subject of the command built elsewhere: a bus submitter's
   * own `ca.<ca>.request.submit.bus.<user>` (BusSubmit.subject), whose last
   * token the command's wildcard leaves open.
   */
  async callOn<Req extends z.ZodType, Rep extends z.ZodType>(
    cmd: Command<Req, Rep>,
    subject: string,
    request: z.input<Req>,
    opts: CallOptions = {},
  ): Promise<z.output<Rep>> {
    const checked = cmd.request.safeParse(request);
    if (!checked.success) {
      throw new SignetError(ErrorCode.BadMessage, `invalid ${cmd.name} request: ${describeIssues(checked.error)}`);
    }
    const body = encodeJson(checked.data);
    const extra = opts.headers ? await opts.headers(body) : undefined;
    let hdrs: ReturnType<typeof natsHeaders> | undefined;
    if (extra) {
      hdrs = natsHeaders();
      for (const [k, v] of Object.entries(extra)) hdrs.set(k, v);
    }
    let raw: Uint8Array;
    try {
      const msg = await this.nc.request(subject, body, { timeout: opts.timeoutMs ?? this.defaultTimeoutMs, ...(hdrs ? { headers: hdrs } : {}) });
      raw = msg.data;
    } catch (e) {
      throw fromRequestError(e, subject, opts.unavailable ?? ErrorCode.CaUnavailable);
    }
    return parseReply(cmd, raw);
  }
}

export function parseReply<Rep extends z.ZodType>(cmd: { name: string; reply: Rep }, raw: Uint8Array): z.output<Rep> {
  const env = AnyReplyEnvelopeSchema.safeParse(decodeJson(raw));
  if (!env.success) {
    throw new SignetError(ErrorCode.Internal, `malformed reply to ${cmd.name}: ${describeIssues(env.error)}`);
  }
  if (!env.data.ok) throw SignetError.fromBody(env.data.error);
  const data = cmd.reply.safeParse(env.data.data);
  if (!data.success) {
    throw new SignetError(ErrorCode.Internal, `reply to ${cmd.name} breaks its contract: ${describeIssues(data.error)}`);
  }
  return data.data;
}

/**
 * ICertConfig: asks every CA on the bus and collects their records for
 * `maxWaitMs`. Several replicas of one CA answer alike; the first wins.
 */
export async function discoverCas(nc: NatsConnection, maxWaitMs = 500): Promise<CaRecord[]> {
  const found = new Map<string, CaRecord>();
  let replies: AsyncIterable<{ data: Uint8Array }>;
  try {
    replies = await nc.requestMany(Discovery.subject, encodeJson({}), { strategy: 'timer', maxWait: maxWaitMs });
  } catch {
    return [];
  }
  try {
    for await (const m of replies) {
      try {
        const rec = parseReply({ name: Discovery.name, reply: CaRecordSchema }, m.data);
        if (!found.has(rec.name)) found.set(rec.name, rec);
      } catch {
        // A malformed or error answer from one CA must not hide the others.
      }
    }
  } catch {
    // no responders ends the iteration with an error: nothing (more) found
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
