import { decodeJson, encodeJson } from '@signet/bus';
import { Commands, ErrorCode, textProblem, type BusErrorBody, type PolicyVerifyReply, type RequestResult } from '@signet/contracts';
import { fuzzKey, rawCsr, rawCsrInfo, signCsr, toCsrPem, type RawRdn, type RawSan } from '@signet/testing';
import { encodeSubjectAltName, OID } from '@signet/x509';
import { startCaCore, type CaCoreHarness, type PolicyHandler } from '../testing/ca-core-harness';

/*
 * Input that used to strand a request or answer INTERNAL (ADR 0022), sent
 * straight to ca-core's subjects as raw JSON (the test's BusClient would
 * refuse most of it before it left). Refused input leaves no row; anything
 * that goes wrong after a request was stored moves it to failed or pending,
 * never leaving it in process.
 */

const key = fuzzKey();
const officer = { name: 'olivia', roles: ['officer' as const] };
const CN = (value: string): RawRdn => ({ type: 'CN', tag: 'utf8', value });
const dns = (value: string): RawSan => ({ type: 'dns', value });
const csr = (subject: RawRdn[], sans: RawSan[]) => toCsrPem(rawCsr(key, subject, sans));
const goodCsr = () => csr([CN('www.example.test')], [dns('www.example.test')]);

/** Issues whatever was asked, with the request's DNS names. */
const issue: PolicyHandler = (req) => ({
  verdict: 'issue',
  message: 'issued',
  changes: { template: 'WebServer', extensions: [{ oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName(req.request.subjectAltNames).toString('base64') }] },
});
/** Denies, quoting the names it saw: what the shipped policy does with a name it does not allow. */
const denyQuoting: PolicyHandler = (req) => ({
  verdict: 'deny',
  message: `names not allowed: ${req.request.subjectAltNames.map((s) => s.value).join(', ')}`,
  decidedBy: { rule: 'san.allowed', field: 'san.dns', value: req.request.subjectAltNames[0]?.value },
});

type Reply = { ok: true; data: RequestResult } | { ok: false; error: BusErrorBody };

/** Runs `fn` and returns what ca-core logged meanwhile (Nest's logger and TypeORM's failed queries), instead of printing it. */
async function logged<T>(fn: () => Promise<T>): Promise<{ result: T; logs: string }> {
  const chunks: string[] = [];
  const keep = (c: string | Uint8Array) => (chunks.push(String(c)), true);
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(keep), jest.spyOn(process.stderr, 'write').mockImplementation(keep), jest.spyOn(console, 'log').mockImplementation(keep)];
  try {
    return { result: await fn(), logs: chunks.join('') };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
const quietly = async <T>(fn: () => Promise<T>): Promise<T> => (await logged(fn)).result;

describe('bad input at ca-core', () => {
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore('badin');
  });
  afterAll(() => h?.close());

  /** A submit as raw JSON on the submit subject, as any NATS client could send it. */
  async function rawSubmit(body: Record<string, unknown>): Promise<Reply> {
    const m = await h.clientNc.request(Commands.submit.subject(h.ca), encodeJson({ attributes: 'CertificateTemplate:WebServer', ...body }), { timeout: 10_000 });
    return decodeJson(m.data) as Reply;
  }
  const count = async (where = 'true', params: unknown[] = []) =>
    Number((await h.ds.query(`SELECT count(*)::int AS n FROM request WHERE ca_name = $1 AND ${where}`, [h.ca, ...params]))[0].n);
  const row = async (id: number) => (await h.ds.query(`SELECT disposition, disposition_message AS message FROM request WHERE id = $1`, [id]))[0];

  afterEach(async () => {
    expect(await count(`disposition = 'in_process'`)).toBe(0);
    h.setPolicy(() => ({ verdict: 'pend', message: 'pending by default', changes: {} }));
  });

  describe('refused before anything is stored, naming the field', () => {
    let before: number;
    beforeEach(async () => {
      before = await count();
    });
    afterEach(async () => {
      expect(await count()).toBe(before);
    });

    it.each<[string, () => Record<string, unknown>, string, string]>([
      ['a requester written in the body (a submitter does not say who it is, ADR 0026)', () => ({ request: goodCsr(), requester: 'alice' }), ErrorCode.BadMessage, 'requester: unknown field'],
      ['an identity assertion that is no JWS', () => ({ request: goodCsr(), identityAssertion: 'bob\r\nadmin' }), ErrorCode.BadMessage, 'identityAssertion'],
      ['NUL in the attributes', () => ({ request: goodCsr(), attributes: 'CertificateTemplate:Web\0Server' }), ErrorCode.BadMessage, 'attributes: contains a control character (U+0000)'],
      ['C1 in the attributes', () => ({ request: goodCsr(), attributes: 'contact:a\u0085b' }), ErrorCode.BadMessage, 'attributes: contains a control character (U+0085)'],
      ['TAB in an attribute value', () => ({ request: goodCsr(), attributes: 'CertificateTemplate:WebServer\ncontact:a\tb' }), ErrorCode.BadAttributes, 'attribute line 2 contains a control character (U+0009)'],
      ['a lone CR inside an attribute line', () => ({ request: goodCsr(), attributes: 'contact:a\rb' }), ErrorCode.BadAttributes, 'attribute line 1 contains a control character (U+000D)'],
      ['NUL in the idempotency key', () => ({ request: goodCsr(), idempotencyKey: 'k\0' }), ErrorCode.BadMessage, 'idempotencyKey'],
      ['NUL in a DNS name of the CSR', () => ({ request: csr([CN('a.example.test')], [dns('a\0.example.test')]) }), ErrorCode.MalformedRequest, 'san.dns[0] contains a control character (U+0000)'],
      ['CR LF in the CN of the CSR', () => ({ request: csr([CN('www.example.test\r\nX-Evil: 1')], [dns('www.example.test')]) }), ErrorCode.MalformedRequest, 'subject.CN contains a control character (U+000D)'],
      [
        'a CN tag swapped to GeneralizedTime',
        () => {
          const info = rawCsrInfo(key, [CN('abcdefghij1234')], [dns('www.example.test')]);
          info[info.indexOf(Buffer.from('abcdefghij1234')) - 2] = 0x18;
          return { request: toCsrPem(signCsr(info, key)) };
        },
        ErrorCode.MalformedRequest,
        'Wrong input string for conversion',
      ],
    ])('%s', async (_n, body, code, message) => {
      // The policy would issue, and quotes names when it denies: neither may be reached.
      h.setPolicy(issue);
      const reply = await rawSubmit(body());
      expect(reply).toMatchObject({ ok: false, error: { code, retryable: false } });
      const error = (reply as { error: BusErrorBody }).error;
      expect(error.message).toContain(message);
      expect(textProblem(error.message)).toBeUndefined();
    });
  });

  describe('after the request is stored, it ends failed or pending, never in process', () => {
    it('a policy that quotes the names in its denial: denied, stored as sent', async () => {
      h.setPolicy(denyQuoting);
      const reply = await rawSubmit({ request: csr([CN('ok.example.test')], [dns('ok.example.test')]) });
      expect(reply).toMatchObject({ ok: true, data: { disposition: 'denied', message: 'names not allowed: ok.example.test' } });
    });

    it('a policy answer with NUL in its message fails the request, naming the broken contract', async () => {
      h.setPolicy(() => ({ verdict: 'deny', message: 'no\0pe' }) as PolicyVerifyReply);
      const reply = await quietly(() => rawSubmit({ request: goodCsr() }));
      expect(reply).toMatchObject({ ok: true, data: { disposition: 'failed', message: expect.stringMatching(/^the policy module failed: /) } });
    });

    it('a failure while the outcome is written fails the request with a message that quotes nothing', async () => {
      h.setPolicy(issue);
      await h.ds.query(`CREATE FUNCTION badin_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk says no' USING ERRCODE = 'XX000'; END $$`);
      await h.ds.query(`CREATE TRIGGER badin_refuse BEFORE INSERT ON certificate FOR EACH ROW EXECUTE FUNCTION badin_refuse()`);
      try {
        const { result: reply, logs } = await logged(() => rawSubmit({ request: goodCsr() }));
        expect(reply).toMatchObject({ ok: true, data: { disposition: 'failed', message: 'the CA could not process the request: internal error' } });
        const id = (reply as { data: RequestResult }).data.requestId;
        // The operator finds the cause in the log, under the request's id.
        expect(logs).toContain(`request ${id}: failed after an unexpected error: QueryFailedError: disk says no`);
        expect(await h.ds.query(`SELECT count(*)::int AS n FROM certificate WHERE request_id = $1`, [id])).toEqual([{ n: 0 }]);
        expect(await h.ds.query(`SELECT action, before_disposition AS before, after_disposition AS after FROM audit_log WHERE request_id = $1 ORDER BY id`, [id])).toEqual([
          { action: 'request.submit', before: null, after: 'in_process' },
          { action: 'request.fail', before: 'in_process', after: 'failed' },
        ]);
      } finally {
        await h.ds.query(`DROP TRIGGER badin_refuse ON certificate; DROP FUNCTION badin_refuse()`);
      }
    });

    it('a transient database failure (serialization) parks the request as pending; a resubmit issues it', async () => {
      h.setPolicy(issue);
      await h.ds.query(`CREATE FUNCTION badin_retry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'try again' USING ERRCODE = '40001'; END $$`);
      await h.ds.query(`CREATE TRIGGER badin_retry BEFORE INSERT ON certificate FOR EACH ROW EXECUTE FUNCTION badin_retry()`);
      let id: number;
      try {
        const reply = await quietly(() => rawSubmit({ request: goodCsr() }));
        expect(reply).toMatchObject({ ok: false, error: { code: ErrorCode.Internal, retryable: true, details: { requestId: expect.any(Number) } } });
        id = (reply as { error: BusErrorBody }).error.details!.requestId as number;
        expect(await row(id)).toEqual({ disposition: 'pending', message: 'processing was interrupted by a temporary database error; resubmit to continue' });
      } finally {
        await h.ds.query(`DROP TRIGGER badin_retry ON certificate; DROP FUNCTION badin_retry()`);
      }
      expect(await h.client.call(Commands.adminResubmit, h.ca, { actor: officer, requestId: id })).toMatchObject({ disposition: 'issued' });
    });

    it('a stored request that no longer passes step 1 (NUL in a DNS name, from before the rule) fails on resubmit', async () => {
      const der = rawCsr(key, [CN('old.example.test')], [dns('old\0.example.test')]);
      const [{ id }] = await h.ds.query(
        `INSERT INTO request (ca_name, disposition, raw_request, request_sha256, requester_name) VALUES ($1, 'pending', $2, 'x', 'bob') RETURNING id`,
        [h.ca, der],
      );
      const result = await quietly(() => h.client.call(Commands.adminResubmit, h.ca, { actor: officer, requestId: Number(id) }));
      expect(result).toMatchObject({ disposition: 'failed', message: expect.stringContaining('MALFORMED_REQUEST: certificate request: san.dns[0] contains a control character (U+0000)') });
    });
  });

  describe('a policy module that breaks the contract on the wire', () => {
    // A raw NATS responder instead of the harness's double, whose own server would refuse to send these answers.
    beforeAll(async () => {
      await h.stopPolicy();
      h.clientNc.subscribe(Commands.policyVerify.subject(h.ca), {
        queue: 'signet-policy',
        callback: (_err, m) => {
          const n = (decodeJson(m.data) as { requestId: number }).requestId;
          const replies = [
            { verdict: 'deny', message: 'nope\0' },
            { verdict: 'deny', message: 'nope', decidedBy: { rule: 'r', field: 'subject.CN', value: 'a\nb' } },
            { verdict: 'issue', message: 'ok', changes: { subject: [{ type: 'CN', value: 'evil\r\n' }] } },
            { verdict: 'pend', message: 'later', changes: { template: 'Web\u0000Server' } },
          ];
          m.respond(encodeJson({ ok: true, data: replies[n % replies.length] }));
        },
      });
      await h.clientNc.flush();
    });

    it('fails each request with the contract named, storing none of the text', async () => {
      for (let i = 0; i < 4; i++) {
        const reply = await quietly(() => rawSubmit({ request: goodCsr() }));
        expect(reply).toMatchObject({ ok: true, data: { disposition: 'failed', message: expect.stringMatching(/^the policy module failed: INTERNAL: reply to policy\.verify breaks its contract: /) } });
      }
    });
  });
});
