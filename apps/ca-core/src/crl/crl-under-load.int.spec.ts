import { Commands, type Actor } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { encodeKeyUsage, encodeSubjectAltName, OID } from '@signet/x509';
import { FixedClock } from '../clock';
import { issuing, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { waitFor } from '../testing/infra';
import { makeCsr } from '../testing/openssl';
import { CrlService, type IssuedCrl } from './crl.service';
import { CrlStore } from './crl.store';

/*
 * Issue 15: CRLs published while certificates are being issued. Every
 * issuance appends to the CA's audit chain twice (submit, finish); a CRL
 * published by an administrator appends one entry too. The CRL's reads come
 * from one snapshot; the chain head must not (ADR 0033). Real PostgreSQL and
 * NATS, ca-core in process, eight submitters running the whole time while
 * CRLs are published on demand, on the schedule and after revocations.
 */

const SUBMITTERS = 8;
const ON_DEMAND = 8;
const SCHEDULED = 4;
const REVOCATIONS = 4;

const admin: Actor = { name: 'root', roles: ['ca-admin'] };
const officer: Actor = { name: 'olivia', roles: ['officer'] };
const auditor: Actor = { name: 'audrey', roles: ['auditor'] };

describe('CRLs publish while issuance runs (real bus and database)', () => {
  const w = new ScratchDir();
  // The schedule reads this clock; it is moved past the base period so each scheduled look finds a CRL due.
  const clock = new FixedClock(new Date());
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore(
      'crlload',
      {
        SIGNET_CRL_PERIOD_HOURS: '1',
        SIGNET_DELTA_CRL_PERIOD_MINUTES: '30',
        SIGNET_CRL_ON_REVOKE: 'true',
        SIGNET_CRL_URL: 'http://crl.test/ca.crl',
        SIGNET_DELTA_CRL_URL: 'http://crl.test/ca+.crl',
      },
      { clock },
    );
    h.setPolicy(
      issuing([
        { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
        { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName([{ type: 'dns', value: 'load.crl.test' }]) },
      ]),
    );
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  it('every CRL (on demand, scheduled, after a revocation) is issued, and the audit chain verifies afterwards', async () => {
    const { ca, client, ds } = h;
    const crl = h.app.get(CrlService);
    const store = h.app.get(CrlStore);
    // Every CRL ca-core attempts, whoever asked: the on-revoke and scheduled paths only log a failure.
    const published = jest.spyOn(crl, 'publish');
    const scheduled = jest.spyOn(crl, 'publishIfDue');

    const csrs = Array.from({ length: SUBMITTERS }, (_, i) => makeCsr(w, `load-${i}`, `/CN=load-${i}.crl.test`));
    const serials: string[] = [];
    const submitErrors: unknown[] = [];
    let stop = false;
    const submitter = async (i: number) => {
      while (!stop) {
        try {
          const r = await client.call(Commands.submit, ca, { request: csrs[i], attributes: 'CertificateTemplate:WebServer' });
          serials.push(r.serial!);
        } catch (e) {
          submitErrors.push(e);
        }
      }
    };
    const load = Array.from({ length: SUBMITTERS }, (_, i) => submitter(i));
    const onDemand: Array<PromiseSettledResult<unknown>> = [];
    const fromSchedule: IssuedCrl[] = [];
    try {
      await waitFor('issuance under way', async () => serials.length >= SUBMITTERS, 30_000);

      // On demand, as `signet crl publish` asks: bases and deltas, each while the submitters run.
      for (let i = 0; i < ON_DEMAND; i++) {
        const [r] = await Promise.allSettled([client.call(Commands.adminPublishCrl, ca, { actor: admin, delta: i % 2 === 1 })]);
        onDemand.push(r);
      }

      // On the schedule: past the base period, every look finds a base due.
      clock.advance(2 * 3_600_000);
      for (let i = 0; i < SCHEDULED; i++) {
        // undefined only when another issuer holds the CRL lock at that moment; look again.
        const c = await waitFor('a scheduled CRL', () => crl.publishIfDue(), 20_000, 10);
        fromSchedule.push(c);
      }

      // After revocations (SIGNET_CRL_ON_REVOKE): each revocation is followed by a delta listing it.
      const revoked = serials.slice(0, REVOCATIONS);
      for (const serial of revoked) {
        const before = (await store.latest(ca, true))?.number ?? 0;
        await client.call(Commands.adminRevoke, ca, { actor: officer, serial, reason: 4 });
        await waitFor('a delta CRL after the revocation', async () => ((await store.latest(ca, true))?.number ?? 0) > before, 20_000, 20);
      }
    } finally {
      stop = true;
      await Promise.all(load);
    }

    await crl.publish(false, admin.name);
    // What ca-core's CRL service threw, with the database's words (the bus answer says only "internal error"),
    // named by who asked: publish(delta, actor) for on demand and after revocations, publishIfDue() for the schedule.
    const attempts = [
      ...published.mock.results.map((r, i) => ({ who: `publish(${published.mock.calls[i].join(', ')})`, p: r.value as Promise<unknown> })),
      ...scheduled.mock.results.map((r) => ({ who: 'publishIfDue()', p: r.value as Promise<unknown> })),
    ];
    const failed: string[] = [];
    for (const a of attempts) await a.p.catch((e: unknown) => failed.push(`${a.who}: ${String(e)}`));
    expect(failed).toEqual([]);
    expect(onDemand.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(fromSchedule).toHaveLength(SCHEDULED);
    // On demand, the schedule's and the revocations' CRLs, and the final one.
    expect(published.mock.calls.length).toBeGreaterThanOrEqual(ON_DEMAND + REVOCATIONS + 1);
    expect(submitErrors).toEqual([]);

    // `signet audit verify`: the chain recomputed from the first entry, and its head.
    const v = await client.call(Commands.adminAuditVerify, ca, { actor: auditor });
    expect(v).toMatchObject({ ok: true, brokenAt: null });
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM audit_log WHERE ca_name = $1`, [ca]);
    expect(v.checked).toBe(n);
    // An administrator's CRLs are audited (the eight and the final one); the schedule's and the
    // revocations' are recorded by their crl row (issued_by 'ca') and the crl.issued event.
    const [{ publishes }] = await ds.query(`SELECT count(*)::int AS publishes FROM audit_log WHERE ca_name = $1 AND action = 'crl.publish'`, [ca]);
    expect(publishes).toBe(ON_DEMAND + 1);

    // The last base lists exactly the revoked certificates.
    const [last] = await ds.query(`SELECT entries FROM crl WHERE ca_name = $1 AND NOT is_delta ORDER BY number DESC LIMIT 1`, [ca]);
    expect(last.entries).toBe(REVOCATIONS);
  });
});
