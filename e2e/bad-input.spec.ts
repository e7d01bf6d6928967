import { decodeJson, encodeJson } from '@signet/bus';
import { BusSubmit, Commands, textProblem, type Actor } from '@signet/contracts';
import { fuzzCases, fuzzKey, fuzzKeys, fuzzSeed, Prng, rawCsr, rawCsrInfo, signCsr, toCsrPem, type RawRdn, type RawSan } from '@signet/testing';
import { callAsAdminApi } from './support/bus';
import { fuzzCase, type FuzzCase } from './support/fuzz-inputs';
import { waitFor } from './support/processes';
import { Stack } from './support/stack';

/*
 * Bad input never strands a request (ADR 0022), with all five services in
 * their default configuration: names with NUL, CR or LF are refused with an
 * error that names the field; a fuzz run of mutated CSRs, JSON bodies and
 * bus messages gets no 5xx and no INTERNAL; nothing is left in process; and
 * a ca-core killed in the middle of a submission leaves a request that the
 * next start parks and a resubmit issues.
 */
const stack = new Stack();

beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.close(), 60_000);

const key = fuzzKey();
const CN = (value: string): RawRdn => ({ type: 'CN', tag: 'utf8', value });
const dns = (value: string): RawSan => ({ type: 'dns', value });
const pem = (subject: RawRdn[], sans: RawSan[]) => toCsrPem(rawCsr(key, subject, sans));
const WEB = { CertificateTemplate: 'WebServer' };

async function count(where: string): Promise<number> {
  return (await stack.db.query(`SELECT count(*)::int AS n FROM request WHERE ${where}`)).rows[0].n;
}

describe('names with NUL, CR or LF are refused with a clear error, and no request is left in process', () => {
  let before: number;
  beforeEach(async () => {
    before = await stack.count('request');
  });
  afterEach(async () => {
    expect(await stack.count('request')).toBe(before);
    expect(await count(`disposition = 'in_process'`)).toBe(0);
    expect(stack.service('ca-core').running).toBe(true);
  });

  it.each<[string, () => string, string, string]>([
    ['NUL in a DNS name', () => pem([CN('www.example.com')], [dns('www\0.example.com')]), 'san.dns[0]', 'U+0000'],
    ['NUL in the CN', () => pem([CN('www.example.com\0.evil.test')], [dns('www.example.com')]), 'subject.CN', 'U+0000'],
    ['CR LF in the CN', () => pem([CN('www.example.com\r\nX-Injected: 1')], [dns('www.example.com')]), 'subject.CN', 'U+000D'],
    ['LF in the second DNS name', () => pem([CN('www.example.com')], [dns('www.example.com'), dns('api.example.com\n')]), 'san.dns[1]', 'U+000A'],
  ])('%s → 400 MALFORMED_REQUEST naming the field', async (_n, csr, field, codePoint) => {
    const res = await stack.submit({ csr: csr(), attributes: WEB });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'MALFORMED_REQUEST', details: { field } });
    expect(res.body.message).toBe(`certificate request: ${field} contains a control character (${codePoint}) at index ${res.body.message.match(/at index (\d+)$/)?.[1]}`);
    expect(textProblem(res.body.message)).toBeUndefined();
  });

  it('the same as application/pkcs10', async () => {
    const der = rawCsr(key, [CN('www.example.com')], [dns('www.exam\r\nple.com')]);
    const res = await fetch(`${stack.baseUrl}/api/v1/requests?attributes=CertificateTemplate:WebServer`, { method: 'POST', headers: { 'content-type': 'application/pkcs10' }, body: der });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'MALFORMED_REQUEST', details: { field: 'san.dns[0]' } });
  });

  it('a CN whose tag was changed to GeneralizedTime → 400 MALFORMED_REQUEST, not a 500', async () => {
    const info = rawCsrInfo(key, [CN('abcdefghij1234')], [dns('www.example.com')]);
    info[info.indexOf(Buffer.from('abcdefghij1234')) - 2] = 0x18;
    const res = await stack.submit({ csr: toCsrPem(signCsr(info, key)), attributes: WEB });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'MALFORMED_REQUEST', message: 'certificate request: not valid DER (Wrong input string for conversion)' });
  });

  it('NUL in an attribute → 400 BAD_MESSAGE naming it', async () => {
    const res = await stack.submit({ csr: pem([CN('www.example.com')], [dns('www.example.com')]), attributes: { CertificateTemplate: 'Web\0Server' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'BAD_MESSAGE', details: { field: 'attributes.CertificateTemplate' } });
  });

  it('a bus submitter writing who it is (with NUL, or at all) → BAD_MESSAGE naming the field, nothing stored: its subject says who it is (ADR 0026)', async () => {
    const before = await stack.count('request');
    for (const requester of ['svc\0', 'admin']) {
      const msg = { request: pem([CN('www.example.com')], [dns('www.example.com')]), attributes: 'CertificateTemplate:WebServer', requester };
      const reply = decodeJson((await stack.nc.request(BusSubmit.subject(stack.ca, 'svc'), encodeJson(msg), { timeout: 10_000 })).data);
      expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE', message: expect.stringContaining('requester: unknown field'), retryable: false } });
    }
    expect(await stack.count('request')).toBe(before);
  });
});

describe('fuzz: mutated CSRs, JSON bodies and bus messages', () => {
  const SEED = fuzzSeed(0xbad1);
  const CASES = fuzzCases(5_000);
  const PARALLEL = 6;

  /** What is wrong with the answer to one case, or undefined. */
  async function judge(c: FuzzCase): Promise<{ problem?: string; outcome: string }> {
    if (c.via === 'bus') {
      let reply: { ok: boolean; data?: { disposition: string }; error?: { code: string; message: string } };
      try {
        reply = decodeJson((await stack.nc.request(Commands.submit.subject(stack.ca), c.payload, { timeout: 20_000 })).data) as typeof reply;
      } catch (e) {
        return { problem: `no answer: ${(e as Error).message}`, outcome: 'no answer' };
      }
      const outcome = reply.ok ? reply.data!.disposition : reply.error!.code;
      if (!reply.ok && ['INTERNAL', 'CA_UNAVAILABLE', 'POLICY_UNAVAILABLE'].includes(reply.error!.code)) return { problem: `answered ${outcome}: ${reply.error!.message}`, outcome };
      if (reply.ok && ['failed', 'in_process'].includes(reply.data!.disposition)) return { problem: `answered ${outcome}`, outcome };
      if (!reply.ok && textProblem(reply.error!.message)) return { problem: `the message carries a control character: ${JSON.stringify(reply.error!.message)}`, outcome };
      if (c.refusedField && (reply.ok || reply.error!.code !== 'MALFORMED_REQUEST' || !reply.error!.message.includes(c.refusedField))) {
        return { problem: `expected MALFORMED_REQUEST naming ${c.refusedField}, got ${outcome}`, outcome };
      }
      return { outcome };
    }
    let res: Response;
    try {
      res = await fetch(`${stack.baseUrl}/api/v1/requests${c.query ? `?${c.query}` : ''}`, {
        method: 'POST',
        headers: { ...(c.contentType ? { 'content-type': c.contentType } : {}), ...c.headers },
        body: c.body,
      });
    } catch (e) {
      return { problem: `no answer: ${(e as Error).message}`, outcome: 'no answer' };
    }
    const text = await res.text();
    let body: { code?: string; message?: string; details?: { field?: string } };
    try {
      body = JSON.parse(text);
    } catch {
      return { problem: `${res.status} with a body that is not JSON: ${text.slice(0, 200)}`, outcome: String(res.status) };
    }
    const outcome = `${res.status}${body.code ? ` ${body.code}` : ''}`;
    if (res.status >= 500) return { problem: `answered ${outcome}: ${body.message}`, outcome };
    if (body.message && textProblem(body.message, 'free')) return { problem: `the message carries a control character: ${JSON.stringify(body.message)}`, outcome };
    if (c.refusedField && (res.status !== 400 || body.code !== 'MALFORMED_REQUEST' || body.details?.field !== c.refusedField)) {
      return { problem: `expected 400 MALFORMED_REQUEST naming ${c.refusedField}, got ${outcome} ${JSON.stringify(body.details)}`, outcome };
    }
    return { outcome };
  }

  it(`answers ${CASES} cases with no 5xx and no INTERNAL, and leaves no request in process (seed ${SEED})`, async () => {
    const prng = new Prng(SEED);
    const keys = fuzzKeys(prng);
    const outcomes = new Map<string, number>();
    const failures: string[] = [];
    let failed = 0;
    let next = 0;
    const started = Date.now();
    // PARALLEL at a time; each case is made from the seed when it is taken, in order, so the inputs are the same on every run.
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let i = next++; i < CASES; i = next++) {
          const c = fuzzCase(prng.fork(), keys, stack.ca);
          const { problem, outcome } = await judge(c);
          outcomes.set(`${c.via} ${outcome}`, (outcomes.get(`${c.via} ${outcome}`) ?? 0) + 1);
          if (!problem) continue;
          failed++;
          if (failures.length < 20) failures.push(`case ${i} (${c.via}, ${c.kind}): ${problem}`);
        }
      }),
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const dispositions = (await stack.db.query(`SELECT disposition, count(*)::int AS n FROM request GROUP BY 1 ORDER BY 1`)).rows;
    const summary = `fuzz seed ${SEED}: ${CASES} cases in ${seconds} s; answers: ${[...outcomes].sort().map(([k, n]) => `${k} ×${n}`).join(', ')}; requests: ${dispositions.map((r) => `${r.disposition} ×${r.n}`).join(', ')}`;
    console.log(summary);
    if (failed > 0) throw new Error(`${summary}\n${failed} failed (SIGNET_FUZZ_SEED=${SEED} repeats the run); the first ${failures.length}:\n${failures.join('\n')}`);
    expect(await count(`disposition = 'in_process'`)).toBe(0);
    expect(await count(`disposition = 'failed'`)).toBe(0);
    for (const app of ['ca-core', 'intermediary', 'policy-service'] as const) expect(stack.service(app).running).toBe(true);
  }, 1_800_000);
});

describe('a ca-core killed in the middle of a submission', () => {
  const officer: Actor = { name: 'olivia', roles: ['officer'] };
  const bus = async (subject: string, msg: unknown, timeout = 10_000) => decodeJson((await stack.nc.request(subject, encodeJson(msg), { timeout })).data) as any;
  const signal = (app: 'ca-core' | 'policy-service', sig: NodeJS.Signals) => process.kill(stack.service(app).pid!, sig);

  it('leaves one request in process and nothing half-written; a running ca-core parks it once its lease ran out, a resubmit issues it', async () => {
    // A policy timeout longer than the test needs, so the request waits in process for the policy until ca-core is killed.
    await stack.restart('ca-core', { SIGNET_POLICY_TIMEOUT_MS: '60000' });
    signal('policy-service', 'SIGSTOP');
    let id: number;
    try {
      const msg = { request: pem([CN('killed.example.com')], [dns('killed.example.com')]), attributes: 'CertificateTemplate:WebServer' };
      const answer = bus(BusSubmit.subject(stack.ca, 'kill-test'), msg, 5_000).catch((e: Error) => e);
      id = await waitFor('the request to be stored in process', async () => (await stack.db.query(`SELECT id FROM request WHERE requester_name = 'bus:kill-test' AND disposition = 'in_process'`)).rows[0]?.id, 20_000, 50);
      signal('ca-core', 'SIGKILL');
      await waitFor('ca-core to be gone', async () => !stack.service('ca-core').running, 10_000, 50);
      // The submitter hears nothing back: no answer rather than a wrong one.
      expect(await answer).toBeInstanceOf(Error);
    } finally {
      signal('policy-service', 'SIGCONT');
    }
    const one = async (sql: string) => (await stack.db.query(sql, [id])).rows;
    expect(await one(`SELECT disposition FROM request WHERE id = $1`)).toEqual([{ disposition: 'in_process' }]);
    expect(await one(`SELECT serial FROM serial_reservation WHERE request_id = $1`)).toEqual([]);
    expect(await one(`SELECT serial FROM certificate WHERE request_id = $1`)).toEqual([]);
    expect(await one(`SELECT action FROM audit_log WHERE request_id = $1 ORDER BY id`)).toEqual([{ action: 'request.submit' }]);

    // The killed process renews the request's lease no more: once it runs out (SIGNET_REQUEST_LEASE_MS, 10 s), the running ca-core parks it (ADR 0034).
    await stack.restart('ca-core');
    await waitFor('the stranded request to be parked', async () => (await one(`SELECT disposition FROM request WHERE id = $1`))[0]?.disposition === 'pending', 30_000, 100);
    expect(await one(`SELECT disposition, disposition_message AS message FROM request WHERE id = $1`)).toEqual([
      { disposition: 'pending', message: 'processing was interrupted; resubmit to continue' },
    ]);
    const reply = await callAsAdminApi(stack, Commands.adminResubmit, officer, { requestId: Number(id) });
    expect(reply).toMatchObject({ requestId: Number(id), disposition: 'issued' });
    expect(await one(`SELECT action FROM audit_log WHERE request_id = $1 ORDER BY id`)).toEqual([
      { action: 'request.submit' },
      { action: 'request.park' },
      { action: 'request.resubmit' },
      { action: 'request.issue' },
    ]);
    expect(await count(`disposition = 'in_process'`)).toBe(0);
  }, 120_000);
});
