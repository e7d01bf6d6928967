/*
 * Issue 15, acceptance 2: after a run that issued certificates, did the CA
 * keep every guarantee? For bench:issue and for any later run that drives a
 * CA hard (the fault script of acceptance 4): it reads the CA's database, the
 * event stream and the audit chain, and never trusts the load generator's
 * view alone.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { Events, ExitEvent } from '@signet/contracts';
import { type Client } from 'pg';
import { waitFor } from '../e2e/support/processes';

export interface IssuanceCheckInput {
  /** A connection to the CA's own database. */
  db: Client;
  /** A connection to the bus the CA publishes its events on. */
  nc: NatsConnection;
  ca: string;
  /** Answers the clients counted as issued (HTTP 201). */
  answered: number;
  /** The most requests that can have been in flight when the load stopped (their answers were never read). */
  inFlightAtStop: number;
  /** Certificates written straight into the database before the run (bench:issue's BENCH_PRELOAD): no answer, event or audit entry of theirs is expected. */
  preloaded?: number;
  /** `signet audit verify`, or whatever runs the chain verifier; its JSON answer. */
  auditVerify: () => Promise<{ ok: boolean; checked: number; brokenAt: unknown }>;
  /** How long to wait for the CA to finish what was in flight and to publish its outbox (default 60 s). */
  settleMs?: number;
}

export interface IssuanceCheck {
  ok: boolean;
  /** Certificate rows of the CA, less the preloaded ones. */
  certificates: number;
  answered: number;
  inFlightAtStop: number;
  /** Requests still in process after settling (a stranded request). */
  inProcess: number;
  duplicateSerials: string[];
  /** `certificate.issued` messages in SIGNET_EVENTS for the CA. */
  issuedEvents: number;
  /** Outbox rows never published. */
  unpublished: number;
  audit: { ok: boolean; checked: number; brokenAt: unknown };
  /** What failed, one line each; empty when ok. */
  problems: string[];
}

async function count(db: Client, sql: string, args: unknown[]): Promise<number> {
  const r = await db.query(sql, args);
  return Number(r.rows[0].n);
}

/**
 * Checks, once the CA has settled:
 *  - certificate rows = answered issued, up to `inFlightAtStop` more (requests
 *    the CA finished after the client stopped listening), never fewer;
 *  - no request left in process;
 *  - no serial twice (among certificates and among reserved serials);
 *  - every outbox row published, and exactly one `certificate.issued` event
 *    per certificate in the stream (counted by subject);
 *  - the audit chain verifies.
 */
export async function checkIssuance(input: IssuanceCheckInput): Promise<IssuanceCheck> {
  const { db, nc, ca } = input;
  const settleMs = input.settleMs ?? 60_000;
  const problems: string[] = [];

  const inProcess = () => count(db, `SELECT count(*) AS n FROM request WHERE ca_name = $1 AND disposition = 'in_process'`, [ca]);
  const unpublished = () => count(db, `SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`, []);
  await waitFor('the CA to finish the requests in flight and publish its outbox', async () => (await inProcess()) === 0 && (await unpublished()) === 0, settleMs, 200).catch(() => undefined);

  const certificates = (await count(db, `SELECT count(*) AS n FROM certificate WHERE ca_name = $1`, [ca])) - (input.preloaded ?? 0);
  if (certificates < input.answered) problems.push(`${certificates} certificate rows for ${input.answered} issued answers: ${input.answered - certificates} answered certificates are missing`);
  if (certificates > input.answered + input.inFlightAtStop) {
    problems.push(`${certificates} certificate rows for ${input.answered} issued answers and at most ${input.inFlightAtStop} in flight at the stop: ${certificates - input.answered - input.inFlightAtStop} too many`);
  }
  const stranded = await inProcess();
  if (stranded) problems.push(`${stranded} requests still in process`);

  const dup = await db.query(
    `SELECT serial FROM certificate WHERE ca_name = $1 GROUP BY serial HAVING count(*) > 1
     UNION SELECT serial FROM serial_reservation WHERE ca_name = $1 GROUP BY serial HAVING count(*) > 1`,
    [ca],
  );
  const duplicateSerials = dup.rows.map((r: { serial: string }) => r.serial);
  if (duplicateSerials.length) problems.push(`${duplicateSerials.length} serials appear twice (${duplicateSerials.slice(0, 3).join(', ')}…)`);

  const left = await unpublished();
  if (left) problems.push(`${left} outbox rows were never published`);
  const subject = Events.subject(ca, ExitEvent.CertificateIssued);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(Events.stream, { subjects_filter: subject });
  const issuedEvents = info.state.subjects?.[subject] ?? 0;
  if (issuedEvents !== certificates) problems.push(`${issuedEvents} certificate.issued events for ${certificates} certificates`);

  const audit = await input.auditVerify();
  if (!audit.ok) problems.push(`audit verify: ${JSON.stringify(audit.brokenAt)}`);

  return {
    ok: problems.length === 0,
    certificates,
    answered: input.answered,
    inFlightAtStop: input.inFlightAtStop,
    inProcess: stranded,
    duplicateSerials,
    issuedEvents,
    unpublished: left,
    audit,
    problems,
  };
}
