import { ErrorCode, SignetError, submitDigest, type Identity } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';
import { type Authenticator } from '../src/auth/authenticator';
import { FakeCa } from './fake-ca';
import { assertionClaims, CSR_PEM, postJson, startHarness, type Harness } from './harness';

/**
 * Who asks, end to end through the HTTP stack and onto the bus: a test
 * authenticator that reads `X-Test-Enrollee` (absent: not its kind; `bad`:
 * a credential that does not hold).
 */
const headerAuthenticator: Authenticator = {
  method: 'enrollment-token',
  async authenticate(req: HttpRequest): Promise<Identity | undefined> {
    const v = req.headers['x-test-enrollee'];
    if (v === undefined) return undefined;
    if (v === 'bad') throw new SignetError(ErrorCode.Unauthorized, 'enrollment token refused: bad signature', { reason: 'bad-signature' });
    return { method: 'enrollment-token', principal: String(v), names: [{ type: 'dns', value: `${String(v)}.example` }], groups: [], oneTime: `jti-${String(v)}`, evidence: { jti: `jti-${String(v)}` } };
  },
};

describe('enrollee authentication at the intermediary (real NATS, fake CA)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({}, async () => {}, [headerAuthenticator]);
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.ca.submits.length = 0;
    h.ca.retrieves.length = 0;
    h.ca.onSubmit = () => FakeCa.submitted(5, 'issued');
  });

  it('an authenticated enrollee: the CA gets its identity signed for this CSR, attributes and key', async () => {
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, attributes: 'CertificateTemplate:ClientAuth' }, { 'X-Test-Enrollee': 'alice', 'Idempotency-Key': 'k-1' });
    expect(res.status).toBe(201);
    expect(h.ca.submits).toHaveLength(1);
    expect(h.ca.submits[0]).not.toHaveProperty('requester');
    expect(await assertionClaims(h.ca.name, h.ca.submits[0].identityAssertion)).toMatchObject({
      purpose: 'submit',
      identity: { method: 'enrollment-token', principal: 'alice', names: [{ type: 'dns', value: 'alice.example' }], oneTime: 'jti-alice', evidence: { jti: 'jti-alice' } },
      requestSha256: submitDigest(CSR_PEM.trim()),
      attributesSha256: submitDigest('CertificateTemplate:ClientAuth'),
      idempotencyKey: 'k-1',
    });
  });

  it('no credential: anonymous', async () => {
    await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(await assertionClaims(h.ca.name, h.ca.submits[0].identityAssertion)).toMatchObject({ identity: { method: 'anonymous', principal: 'anonymous' } });
  });

  it('a credential that does not hold: 401 UNAUTHORIZED, and nothing reaches the CA, whatever the body', async () => {
    for (const body of [{ csr: CSR_PEM }, { csr: CSR_PEM, unknown: 1 }]) {
      const res = await postJson(h.url('/api/v1/requests'), body, { 'X-Test-Enrollee': 'bad' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ code: 'UNAUTHORIZED', message: 'enrollment token refused: bad signature', details: { reason: 'bad-signature' } });
    }
    const read = await fetch(h.url('/api/v1/requests/5'), { headers: { 'X-Test-Enrollee': 'bad' } });
    expect(read.status).toBe(401);
    expect(h.ca.submits).toHaveLength(0);
    expect(h.ca.retrieves).toHaveLength(0);
  });

  it('reading back: the identity is signed for that request id', async () => {
    h.ca.onRetrieve = (r) => FakeCa.result(r.requestId, 'issued');
    const res = await fetch(h.url(`/api/v1/requests/5?ca=${h.ca.name}`), { headers: { 'X-Test-Enrollee': 'alice' } });
    expect(res.status).toBe(200);
    expect(await assertionClaims(h.ca.name, h.ca.retrieves[0].identityAssertion)).toMatchObject({ purpose: 'retrieve', requestId: 5, identity: { principal: 'alice' } });
  });

  it('a one-time credential the CA finds spent: 401 CREDENTIAL_REPLAYED, as the CA said', async () => {
    h.ca.onSubmit = () => {
      throw new SignetError(ErrorCode.CredentialReplayed, 'this one-time credential has been used for a request already', { method: 'enrollment-token' });
    };
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM }, { 'X-Test-Enrollee': 'alice' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'CREDENTIAL_REPLAYED' });
  });

  it('the CA refusing this front door\'s signature is the front door\'s fault: 500, not 401', async () => {
    h.ca.onSubmit = () => {
      throw new SignetError(ErrorCode.Unauthorized, 'identity assertion refused: assertion is signed by a key this service does not trust', { reason: 'unknown-key' });
    };
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 'INTERNAL' });
  });
});

describe('failed authentications counted per client behind a proxy (SIGNET_TRUST_PROXY)', () => {
  /** SIGNET_AUTH_FAILURE_LIMIT's default: this many refusals from one source, then 429. */
  const LIMIT = 10;
  const bad = (h: Harness, forwardedFor: string) => postJson(h.url('/api/v1/requests'), { csr: CSR_PEM }, { 'X-Test-Enrollee': 'bad', Authorization: 'Bearer x.y.z', 'X-Forwarded-For': forwardedFor });
  const statuses = async (h: Harness, forwardedFor: string, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await bad(h, forwardedFor)).status);
    return out;
  };

  it('with the proxy named: each client named in X-Forwarded-For has its own count', async () => {
    const h = await startHarness({ SIGNET_TRUST_PROXY: 'loopback' }, async () => {}, [headerAuthenticator]);
    try {
      expect(await statuses(h, '192.0.2.1', LIMIT + 1)).toEqual([...Array(LIMIT).fill(401), 429]);
      // Another client behind the same proxy is not locked out by the first one's failures.
      expect((await bad(h, '192.0.2.2')).status).toBe(401);
      // An address a client wrote into the header itself is not believed: the proxy appends the real peer, which is counted.
      expect((await bad(h, '192.0.2.2, 192.0.2.1')).status).toBe(429);
    } finally {
      await h.close();
    }
  });

  it('without it (the default): X-Forwarded-For is ignored, the connection\'s peer is counted', async () => {
    const h = await startHarness({}, async () => {}, [headerAuthenticator]);
    try {
      const seen = [];
      for (let i = 0; i <= LIMIT; i++) seen.push((await bad(h, `192.0.2.${i + 1}`)).status);
      expect(seen).toEqual([...Array(LIMIT).fill(401), 429]);
    } finally {
      await h.close();
    }
  });
});
