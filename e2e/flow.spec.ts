import { Commands, decodeJson, encodeJson } from './support/bus';
import { bearer } from './support/enrollment';
import { opensslCsr, run, tamperCsrSignature, writeTemp, x509Text } from './support/openssl';
import { Stack } from './support/stack';

// Steps 1–5 of the flow with all five services, real NATS and PostgreSQL.
const stack = new Stack();

beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.close(), 60_000);

function webServerCsr(name = 'www.example.com', key: Parameters<typeof opensslCsr>[0]['key'] = 'ec-p256') {
  return opensslCsr({ key, subject: `/CN=${name}`, sans: [`DNS:${name}`] });
}

/**
 * For the sections about mechanics (idempotency, privacy, policy
 * availability) rather than about who may have which name: a certificate an
 * anonymous requester gets at once, localhost under the shipped Development
 * template. (WebServer holds a name nobody proved for a certificate manager,
 * ADR 0030: an anonymous request always, e2e/enrollee-identity.spec.ts.)
 */
function localhostCsr() {
  return opensslCsr({ key: 'ec-p256', subject: '/CN=localhost', sans: ['DNS:localhost'] });
}
const DEVELOPMENT = { CertificateTemplate: 'Development' };

describe('1. WebServer request with an allowed DNS name', () => {
  let body: any;
  let caPem: string;

  beforeAll(async () => {
    // The requester proves the name (ADR 0030): an enrollment token an operator minted for this host.
    const token = await stack.enrollmentToken({ sub: 'www.example.com', sans: ['www.example.com'], template: 'WebServer' });
    const res = await stack.submit({ csr: webServerCsr('www.example.com'), attributes: { CertificateTemplate: 'WebServer' } }, bearer(token));
    expect(res.status).toBe(201);
    body = res.body;
    caPem = (await stack.get(`/api/v1/cas/${stack.ca}/certificate`)).body.certificate;
  });

  it('is issued at once, with the chain and a Location to retrieve it', () => {
    expect(body).toMatchObject({ disposition: 'issued', dispositionCode: 3, ca: stack.ca });
    expect(body.requestId).toEqual(expect.any(Number));
    expect(body.chain[0]).toBe(caPem);
  });

  it('passes openssl verify -x509_strict -purpose sslserver', () => {
    const r = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', writeTemp('ca.pem', caPem), writeTemp('leaf.pem', body.certificate)]);
    expect(r.out).toContain(': OK');
    expect(r.code).toBe(0);
  });

  it('passes certtool --verify', () => {
    const r = run('certtool', ['--verify', '--load-ca-certificate', writeTemp('ca.pem', caPem), '--infile', writeTemp('leaf.pem', body.certificate)]);
    expect(r.out).toMatch(/Chain verification output: Verified/);
    expect(r.code).toBe(0);
  });

  it('matches the WebServer template: EKU, key usage, SAN, validity, serial', () => {
    const text = x509Text(body.certificate);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s*TLS Web Server Authentication\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s*\n\s*Digital Signature\n/);
    expect(text).toMatch(/X509v3 Subject Alternative Name:\s*\n\s*DNS:www\.example\.com\n/);
    expect(text).toMatch(/Subject: CN ?= ?www\.example\.com/);
    const dates = run('openssl', ['x509', '-noout', '-startdate', '-enddate', '-in', writeTemp('leaf.pem', body.certificate)]).out;
    const nb = new Date(/notBefore=(.*)/.exec(dates)![1]);
    const na = new Date(/notAfter=(.*)/.exec(dates)![1]);
    expect((na.getTime() - nb.getTime()) / 86_400_000).toBeCloseTo(90, 1);
    expect(body.serial).toMatch(/^[0-7][0-9a-f]{31}$/);
    const serial = run('openssl', ['x509', '-noout', '-serial', '-in', writeTemp('leaf.pem', body.certificate)]).out;
    expect(serial.trim().toLowerCase()).toBe(`serial=${body.serial}`);
  });

  it('can be retrieved again by request id, with the retrieval secret the submit answered', async () => {
    expect(body.retrievalSecret).toMatch(/^sgr_[A-Za-z0-9_-]{43}$/);
    const r = await stack.retrieve(body.requestId, body.retrievalSecret);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ disposition: 'issued', serial: body.serial, certificate: body.certificate });
  });
});

describe('2. a template that requires approval', () => {
  it('pends, stays pending on retrieve, and survives a restart of every service', async () => {
    const csr = opensslCsr({ key: 'ec-p256', subject: '/CN=Release Signing/O=Example Corp' });
    const res = await stack.submit({ csr, attributes: { CertificateTemplate: 'CodeSigning' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ disposition: 'pending', dispositionCode: 5 });
    const id = res.body.requestId;
    const secret = res.body.retrievalSecret;
    expect(res.headers.get('location')).toBe(`/api/v1/requests/${id}?ca=${stack.ca}`);

    expect((await stack.retrieve(id, secret)).body).toMatchObject({ requestId: id, disposition: 'pending' });

    await stack.stopAll();
    await stack.startAll();

    const after = await stack.retrieve(id, secret);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ requestId: id, disposition: 'pending' });
    expect(after.body.certificate).toBeUndefined();
  });
});

describe('3. deny paths name the deciding rule and issue nothing', () => {
  it.each([
    ['a disallowed SAN', () => webServerCsr('www.evil.test'), 'WebServer', 'san.dns', 'www.evil.test'],
    ['a too-small RSA key', () => webServerCsr('small.example.com', 'rsa-1024'), 'WebServer', 'key.size', undefined],
    ['an unknown template', () => webServerCsr('www.example.com'), 'NoSuchTemplate', 'template.known', 'NoSuchTemplate'],
  ])('%s', async (_name, csr, template, rule, value) => {
    const certsBefore = await stack.count('certificate');
    const res = await stack.submit({ csr: csr(), attributes: { CertificateTemplate: template } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'REQUEST_DENIED', disposition: 'denied', decidedBy: { rule } });
    if (value) expect(res.body.decidedBy.value).toBe(value);
    expect(res.body.certificate).toBeUndefined();
    expect(await stack.count('certificate')).toBe(certsBefore);
    const stored = await stack.db.query(`SELECT disposition FROM request WHERE id = $1`, [res.body.requestId]);
    expect(stored.rows[0].disposition).toBe('denied');
    const reserved = await stack.db.query(`SELECT count(*)::int AS n FROM serial_reservation WHERE request_id = $1`, [res.body.requestId]);
    expect(reserved.rows[0].n).toBe(0);
  });
});

describe('4. bad input gets clear errors, no crash, no half-written rows', () => {
  let requestsBefore: number;
  beforeEach(async () => {
    requestsBefore = await stack.count('request');
  });
  afterEach(async () => {
    expect(await stack.count('request')).toBe(requestsBefore);
    expect(stack.service('ca-core').running).toBe(true);
    expect(stack.service('intermediary').running).toBe(true);
  });

  it('garbage instead of a CSR → 400 MALFORMED_REQUEST', async () => {
    const res = await stack.submit({ csr: 'this is not a certificate request', attributes: { CertificateTemplate: 'WebServer' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'MALFORMED_REQUEST' });
  });

  it('a CSR whose signature does not verify → 400 BAD_SIGNATURE', async () => {
    const res = await stack.submit({ csr: tamperCsrSignature(webServerCsr()), attributes: { CertificateTemplate: 'WebServer' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'BAD_SIGNATURE' });
  });

  it('an oversize body → 413', async () => {
    const res = await stack.submit({ csr: 'A'.repeat(2_000_000) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'TOO_LARGE' });
  });

  it('invalid attributes → 400 BAD_ATTRIBUTES', async () => {
    const res = await stack.submit({ csr: webServerCsr(), attributes: 'CertificateTemplate:WebServer\nthis line has no colon' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'BAD_ATTRIBUTES' });
  });

  it('an invalid bus message sent straight to ca-core → typed BAD_MESSAGE reply', async () => {
    for (const payload of [new TextEncoder().encode('not json'), encodeJson({ request: 42 }), encodeJson({ request: 'x', evil: true })]) {
      const reply = await stack.nc.request(Commands.submit.subject(stack.ca), payload, { timeout: 5_000 });
      expect(decodeJson(reply.data)).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE', retryable: false } });
    }
  });

  it('never shows a stack trace', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"csr":' });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/\bat .*\.js:\d+/);
    expect(JSON.parse(text)).toMatchObject({ code: 'BAD_MESSAGE' });
  });
});

describe('5. idempotency', () => {
  it('the same key twice returns the first result', async () => {
    const csr = localhostCsr();
    const key = `idem-${Date.now()}`;
    const a = await stack.submit({ csr, attributes: DEVELOPMENT }, { 'idempotency-key': key });
    const b = await stack.submit({ csr, attributes: DEVELOPMENT }, { 'idempotency-key': key });
    expect(a.status).toBe(201);
    expect(b.body).toMatchObject({ requestId: a.body.requestId, serial: a.body.serial, certificate: a.body.certificate });
    // The first secret cannot be shown again: the retry answers a new one, which replaces it.
    expect(b.body.retrievalSecret).not.toBe(a.body.retrievalSecret);
    expect((await stack.retrieve(a.body.requestId, b.body.retrievalSecret)).status).toBe(200);
    expect((await stack.retrieve(a.body.requestId, a.body.retrievalSecret)).status).toBe(404);
  });

  it('the same key concurrently yields one certificate', async () => {
    const csr = localhostCsr();
    const key = `idem-concurrent-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => stack.submit({ csr, attributes: DEVELOPMENT }, { 'idempotency-key': key })),
    );
    const ids = new Set(results.map((r) => r.body.requestId));
    const serials = new Set(results.map((r) => r.body.serial));
    expect(results.every((r) => r.body.disposition === 'issued')).toBe(true);
    expect(ids.size).toBe(1);
    expect(serials.size).toBe(1);
    const n = await stack.db.query(`SELECT count(*)::int AS n FROM certificate c JOIN request r ON r.id = c.request_id WHERE r.idempotency_key = $1`, [key]);
    expect(n.rows[0].n).toBe(1);
  });

  it('the same key with a different request is a conflict', async () => {
    const key = `idem-conflict-${Date.now()}`;
    await stack.submit({ csr: webServerCsr('one.example.com'), attributes: { CertificateTemplate: 'WebServer' } }, { 'idempotency-key': key });
    const b = await stack.submit({ csr: webServerCsr('two.example.com'), attributes: { CertificateTemplate: 'WebServer' } }, { 'idempotency-key': key });
    expect(b.status).toBe(409);
    expect(b.body).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
  });
});

describe('6. requests are private: only the submitter reads a request back', () => {
  let mine: any;
  let theirs: any;
  const ids: number[] = [];

  beforeAll(async () => {
    // Two enrollees: one certificate issued at once, one request an officer must approve.
    mine = (await stack.submit({ csr: localhostCsr(), attributes: DEVELOPMENT })).body;
    theirs = (await stack.submit({ csr: opensslCsr({ key: 'ec-p256', subject: '/CN=Their Signing/O=Other Corp' }), attributes: { CertificateTemplate: 'CodeSigning' } })).body;
    expect([mine.disposition, theirs.disposition]).toEqual(['issued', 'pending']);
    ids.push(mine.requestId, theirs.requestId);
  });

  /** What a caller that walks through ids learns, for every id from 1 to a little past the newest. */
  async function enumerate(secret?: string): Promise<Array<{ id: number; status: number; body: any }>> {
    const newest = Math.max(...ids);
    const seen = [];
    for (let id = 1; id <= newest + 3; id++) seen.push({ id, ...(await stack.retrieve(id, secret)) });
    return seen;
  }

  it('walking through request ids without a secret is refused: every id, existing or not, gets the same 404', async () => {
    // The CRL schedule's own events are not the reads' doing; everything else counts.
    const outboxRows = async () => (await stack.db.query(`SELECT count(*)::int AS n FROM outbox WHERE subject NOT LIKE '%.crl.issued'`)).rows[0].n;
    const outboxBefore = await outboxRows();
    for (const r of await enumerate()) {
      expect({ id: r.id, status: r.status, body: r.body }).toEqual({ id: r.id, status: 404, body: { code: 'NOT_FOUND', message: `request ${r.id} not found`, details: { requestId: r.id } } });
    }
    // Reads write nothing: no event, no outbox row.
    expect(await outboxRows()).toBe(outboxBefore);
  });

  it('with my secret I read my request and no other: theirs answers exactly as an id that does not exist', async () => {
    const seen = await enumerate(mine.retrievalSecret);
    for (const r of seen) {
      if (r.id === mine.requestId) {
        expect(r).toMatchObject({ status: 200, body: { requestId: mine.requestId, disposition: 'issued', serial: mine.serial, certificate: mine.certificate } });
      } else {
        expect({ status: r.status, body: r.body }).toEqual({ status: 404, body: { code: 'NOT_FOUND', message: `request ${r.id} not found`, details: { requestId: r.id } } });
      }
    }
    const unknown = seen[seen.length - 1];
    const other = seen.find((r) => r.id === theirs.requestId)!;
    expect(other.status).toBe(unknown.status);
    expect(JSON.stringify(other.body).replaceAll(String(other.id), 'ID')).toBe(JSON.stringify(unknown.body).replaceAll(String(unknown.id), 'ID'));
  });

  it('they read theirs with their secret; the database holds neither secret, only hashes', async () => {
    expect(await stack.retrieve(theirs.requestId, theirs.retrievalSecret)).toMatchObject({ status: 200, body: { requestId: theirs.requestId, disposition: 'pending' } });
    const rows = (await stack.db.query('SELECT row_to_json(r)::text AS t FROM request r')).rows.map((r: { t: string }) => r.t).join('\n');
    for (const s of [mine.retrievalSecret, theirs.retrievalSecret]) expect(rows).not.toContain(s.slice(4));
  });

  it('the secrets appear in no service\'s log (debug logging on)', () => {
    for (const s of stack.services.values()) {
      for (const secret of [mine.retrievalSecret, theirs.retrievalSecret]) expect(s.log()).not.toContain(secret.slice(4));
    }
  });
});

describe('discovery and CA information', () => {
  it('lists this CA with its config string and certificate', async () => {
    const r = await stack.get('/api/v1/cas');
    expect(r.status).toBe(200);
    const me = (r.body.cas ?? r.body).find((c: any) => c.name === stack.ca);
    expect(me).toMatchObject({ status: 'online', config: expect.stringContaining(`\\Signet E2E ${stack.ca}`) });
  });

  it('reports CA properties', async () => {
    const r = await stack.get(`/api/v1/cas/${stack.ca}/properties`);
    expect(r.status).toBe(200);
    const props = r.body.properties ?? r.body;
    expect(props).toMatchObject({ CAName: `Signet E2E ${stack.ca}`, CAType: 3 });
    expect(props.Templates).toEqual(expect.arrayContaining(['WebServer', 'ClientAuth', 'CodeSigning']));
    expect(props.CertCount).toBeGreaterThan(0);
  });
});

describe('policy module unavailable', () => {
  it('answers 503 POLICY_UNAVAILABLE, keeps the request as pending, and recovers', async () => {
    await stack.service('policy-service').stop();
    const res = await stack.submit({ csr: webServerCsr('later.example.com'), attributes: { CertificateTemplate: 'WebServer' } });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'POLICY_UNAVAILABLE' });
    expect(res.headers.get('retry-after')).toBeTruthy();
    const id = res.body.details?.requestId ?? res.body.requestId;
    expect(id).toEqual(expect.any(Number));
    const stored = await stack.db.query(`SELECT disposition FROM request WHERE id = $1`, [id]);
    expect(stored.rows[0].disposition).toBe('pending');
    // Its submitter can read it back (and, once an officer resubmits it, fetch the certificate).
    expect(await stack.retrieve(id, res.body.details.retrievalSecret)).toMatchObject({ status: 200, body: { requestId: id, disposition: 'pending' } });
    // ca-core noticed: discovery reports the CA without a policy until the module is back.
    const { discoverCas } = await import('@signet/bus');
    expect((await discoverCas(stack.nc, 300)).find((c) => c.name === stack.ca)?.status).toBe('no-policy');
    stack.service('policy-service').start();
    await stack.ready();
    const ok = await stack.submit({ csr: localhostCsr(), attributes: DEVELOPMENT });
    expect(ok.status).toBe(201);
  });
});

describe('events', () => {
  it('publishes certificate issued, request pending and request denied to JetStream', async () => {
    const { jetstream } = await import('@nats-io/jetstream');
    const js = jetstream(stack.nc);
    const consumer = await js.consumers.get('SIGNET_EVENTS', { filter_subjects: `ca.${stack.ca}.events.>` });
    const seen = new Set<string>();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !['certificate.issued', 'request.pending', 'request.denied', 'ca.startup'].every((e) => seen.has(e))) {
      const m = await consumer.next({ expires: 1_000 });
      if (m) seen.add((m.json() as { event: string }).event);
    }
    expect([...seen]).toEqual(expect.arrayContaining(['certificate.issued', 'request.pending', 'request.denied', 'ca.startup', 'ca.shutdown']));
  });
});

describe('secrets', () => {
  it('never logs the CA key passphrase or key material', () => {
    for (const s of stack.services.values()) {
      expect(s.log()).not.toContain(stack.passphrase);
      expect(s.log()).not.toMatch(/PRIVATE KEY/);
    }
  });
});
