import { OidcIssuer } from '@signet/testing';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusSubmit, decodeJson, encodeJson } from './support/bus';
import { basic, bearer } from './support/enrollment';
import { curl, httpsJson } from './support/https';
import { opensslCsr, run } from './support/openssl';
import { Stack } from './support/stack';

/*
 * Issue 12's acceptance with all five services and config/policy.yaml as
 * shipped (ADR 0026, 0029-0032): the intermediary serves the API over HTTPS
 * with its self-issued certificate (its default), every enrollee
 * authentication method is configured, and each certificate's names come
 * from what its requester proved. A name nobody proved is denied or held
 * for a certificate manager, and the reply names the rule.
 */
const stack = new Stack();
const oidc = new OidcIssuer('ES256');
const CLIENT_ID = 'signet-e2e';
const dir = mkdtempSync(join(tmpdir(), 'signet-enrollee-'));
const file = (name: string) => join(dir, name);
let caPem: string;
let officer: string;

beforeAll(async () => {
  await oidc.start();
  await stack.start({ SIGNET_TLS_MODE: 'self-issued', SIGNET_OIDC_ISSUER: oidc.issuer, SIGNET_OIDC_CLIENT_ID: CLIENT_ID });
  caPem = await (await fetch(`${stack.baseUrl}/ca/${stack.ca}.crt?format=pem`)).text();
  writeFileSync(file('ca.pem'), caPem);
  await stack.adminReady();
  officer = stack.token('officer-enrollee', ['officer']).token;
}, 180_000);
afterAll(async () => {
  await stack.close();
  await oidc.stop();
}, 60_000);

/** POST /api/v1/requests over HTTPS, trusting the CA only. */
const submit = (csr: string, template: string, headers: Record<string, string> = {}) =>
  httpsJson(`${stack.httpsUrl}/api/v1/requests`, { ca: caPem, headers, body: { csr, attributes: { CertificateTemplate: template } } });

const webCsr = (...hosts: string[]) => opensslCsr({ subject: `/CN=${hosts[0]}`, sans: hosts.map((h) => `DNS:${h}`) });
/** What AD CS ESC1 asks for: the administrator's names in the CSR. */
const administratorCsr = () => opensslCsr({ subject: '/CN=Administrator', sans: ['otherName:1.3.6.1.4.1.311.20.2.3;UTF8:administrator@example.com'] });

const requesterOf = async (id: number): Promise<string> => (await stack.db.query(`SELECT requester_name FROM request WHERE id = $1`, [id])).rows[0].requester_name;
const certificatesOf = async (id: number): Promise<number> => (await stack.db.query(`SELECT count(*)::int AS n FROM certificate WHERE request_id = $1`, [id])).rows[0].n;

/** openssl verify -x509_strict against the CA for the purpose the template gives; the certificate, parsed. */
function verified(pem: string, purpose: 'sslserver' | 'sslclient'): X509Certificate {
  const leaf = file(`leaf-${Math.random().toString(16).slice(2)}.pem`);
  writeFileSync(leaf, pem);
  const v = run('openssl', ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', file('ca.pem'), leaf]);
  expect(v.out).toContain(': OK');
  expect(v.code).toBe(0);
  return new X509Certificate(pem);
}

describe('the ESC1 attack: an anonymous requester asking for names of its choosing', () => {
  it('ClientAuth for CN=Administrator with the administrator\'s UPN: denied by enroll.permission, nothing issued', async () => {
    const r = await submit(administratorCsr(), 'ClientAuth');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'REQUEST_DENIED', disposition: 'denied', decidedBy: { rule: 'enroll.permission', field: 'identity', value: 'anonymous' } });
    expect(r.body.certificate).toBeUndefined();
    expect(await certificatesOf(r.body.requestId)).toBe(0);
    expect(await requesterOf(r.body.requestId)).toBe('anonymous');
  });

  it('WebServer for www.example.com: pending, not issued, held by enroll.anonymous', async () => {
    const r = await submit(webCsr('www.example.com'), 'WebServer');
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ disposition: 'pending', decidedBy: { rule: 'enroll.anonymous' } });
    expect(r.body.certificate).toBeUndefined();
    expect(await certificatesOf(r.body.requestId)).toBe(0);
  });

  it('Development for localhost: issued at once (its names are loopback by construction)', async () => {
    const r = await submit(opensslCsr({ subject: '/CN=localhost', sans: ['DNS:localhost', 'IP:127.0.0.1'] }), 'Development');
    expect(r.status).toBe(201);
    expect(verified(r.body.certificate, 'sslserver').subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(await requesterOf(r.body.requestId)).toBe('anonymous');
  });
});

describe('the anonymous Development certificate presented as a TLS client certificate', () => {
  beforeAll(() => {
    run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('dev.key'), '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-out', file('dev.csr')]);
  });

  it('anonymous gets it at once', async () => {
    const r = await submit(readFileSync(file('dev.csr'), 'utf8'), 'Development');
    expect(r.status).toBe(201);
    writeFileSync(file('dev.pem'), r.body.certificate);
  });

  it('it proves localhost and nothing else: a WebServer name it does not carry pends', async () => {
    const r = await httpsJson(`${stack.httpsUrl}/api/v1/requests`, {
      ca: caPem,
      cert: readFileSync(file('dev.pem'), 'utf8'),
      key: readFileSync(file('dev.key'), 'utf8'),
      body: { csr: webCsr('www.example.com'), attributes: { CertificateTemplate: 'WebServer' } },
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ decidedBy: { rule: 'names.unproven', value: 'www.example.com' } });
  });

  // Anonymous → Development (localhost, at once) → that certificate as a TLS client certificate must
  // not become a ClientAuth certificate: ClientAuth builds its names from the identity, and a loopback
  // certificate proves no email or UPN (rule names.identity).
  it('is no credential for a ClientAuth certificate: it proves no name ClientAuth issues', async () => {
    const r = await httpsJson(`${stack.httpsUrl}/api/v1/requests`, {
      ca: caPem,
      cert: readFileSync(file('dev.pem'), 'utf8'),
      key: readFileSync(file('dev.key'), 'utf8'),
      body: { csr: administratorCsr(), attributes: { CertificateTemplate: 'ClientAuth' } },
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'REQUEST_DENIED', decidedBy: { rule: 'names.identity', field: 'identity' } });
    expect(await certificatesOf(r.body.requestId)).toBe(0);
  });
});

describe('enrollment token (ADR 0031)', () => {
  it('ClientAuth: the certificate carries exactly the token\'s email, whatever the CSR asked for', async () => {
    const token = await stack.enrollmentToken({ sub: 'alice', sans: ['alice@example.com'], template: 'ClientAuth' });
    const r = await submit(administratorCsr(), 'ClientAuth', bearer(token));
    expect(r.status).toBe(201);
    const cert = verified(r.body.certificate, 'sslclient');
    expect(cert.subjectAltName).toBe('email:alice@example.com');
    expect(cert.subject).toBe('CN=alice@example.com');
    expect(await requesterOf(r.body.requestId)).toBe('enrollment-token:e2e-ops:alice');

    // The same token again, with another key: a spent credential is no credential.
    const replay = await submit(administratorCsr(), 'ClientAuth', bearer(token));
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ code: 'CREDENTIAL_REPLAYED' });
    expect(JSON.stringify(replay.body)).not.toContain(token);
  });

  it('WebServer for a host the token did not name: pending, names.unproven naming the host', async () => {
    const token = await stack.enrollmentToken({ sub: 'web-1', sans: ['web1.example.com'], template: 'WebServer' });
    const r = await submit(webCsr('web1.example.com', 'intruder.example.com'), 'WebServer', bearer(token));
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ disposition: 'pending', decidedBy: { rule: 'names.unproven', field: 'subjectAltName.dns', value: 'intruder.example.com' } });
    expect(await certificatesOf(r.body.requestId)).toBe(0);
  });
});

describe('TLS client certificate: renewal with the existing certificate (ADR 0029), with real curl', () => {
  let old: X509Certificate;
  const post = (csr: string, template = 'WebServer') => {
    const body = file(`body-${Math.random().toString(16).slice(2)}.json`);
    writeFileSync(body, JSON.stringify({ csr, attributes: { CertificateTemplate: template } }));
    return curl(['--cacert', file('ca.pem'), '--cert', file('old.pem'), '--key', file('old.key'), '-H', 'content-type: application/json', '--data-binary', `@${body}`, `${stack.httpsUrl}/api/v1/requests`]);
  };

  beforeAll(async () => {
    // The first certificate: its name proven by an enrollment token.
    run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('old.key'), '-subj', '/CN=renew.example.com', '-addext', 'subjectAltName=DNS:renew.example.com', '-out', file('old.csr')]);
    const token = await stack.enrollmentToken({ sub: 'renew', sans: ['renew.example.com'], template: 'WebServer' });
    const r = await submit(readFileSync(file('old.csr'), 'utf8'), 'WebServer', bearer(token));
    expect(r.status).toBe(201);
    writeFileSync(file('old.pem'), r.body.certificate);
    old = new X509Certificate(r.body.certificate);
  });

  it('the same names: issued at once without approval, same SANs, requester tls-client-certificate:<ca>/<serial>', async () => {
    const r = await post(webCsr('renew.example.com'));
    expect([r.status, r.stderr]).toEqual([201, '']);
    const body = JSON.parse(r.body);
    expect(body.disposition).toBe('issued');
    const renewed = verified(body.certificate, 'sslserver');
    expect(renewed.subjectAltName).toBe(old.subjectAltName);
    expect(renewed.serialNumber).not.toBe(old.serialNumber);
    expect(await requesterOf(body.requestId)).toBe(`tls-client-certificate:${stack.ca}/${old.serialNumber.toLowerCase()}`);
  });

  it('a name the old certificate did not carry: pending, names.unproven naming it', async () => {
    const r = await post(webCsr('renew.example.com', 'more.example.com'));
    expect(r.status).toBe(202);
    expect(JSON.parse(r.body)).toMatchObject({ disposition: 'pending', decidedBy: { rule: 'names.unproven', value: 'more.example.com' } });
  });

  // The old certificate proves its DNS name, not a client identity: ClientAuth, which builds its names
  // from the identity, finds no email or UPN it could carry and refuses (rule names.identity), rather
  // than turn a 90-day serverAuth certificate into a 365-day clientAuth one for its CN.
  it('a WebServer certificate is no credential for a ClientAuth certificate (another template, another EKU)', async () => {
    const r = await post(opensslCsr({ subject: '/CN=Administrator', sans: ['email:administrator@example.com'] }), 'ClientAuth');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'REQUEST_DENIED', decidedBy: { rule: 'names.identity', field: 'identity' } });
  });

  it('after an officer revokes it through admin-api: 401, the certificate proves nothing', async () => {
    const revoked = await stack.admin('POST', `/api/v1/certificates/${old.serialNumber.toLowerCase()}/revoke`, officer, { reason: 'superseded' });
    expect(revoked.status).toBe(200);
    const r = await post(webCsr('renew.example.com'));
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/^client certificate refused: revoked at /) });
  });
});

describe('OIDC ID token (ADR 0031), from a local issuer', () => {
  it('a verified email: a ClientAuth certificate for that email, CN from the name claim', async () => {
    const idToken = await oidc.sign({ aud: CLIENT_ID, sub: 'bob-1', email: 'bob@example.com', email_verified: true, name: 'Bob Example' });
    const r = await submit(administratorCsr(), 'ClientAuth', bearer(idToken));
    expect(r.status).toBe(201);
    const cert = verified(r.body.certificate, 'sslclient');
    expect(cert.subjectAltName).toBe('email:bob@example.com');
    expect(cert.subject).toBe('CN=Bob Example');
    expect(await requesterOf(r.body.requestId)).toBe(`oidc:${oidc.issuer}#bob-1`);
  });

  it('an unverified email proves nothing: no certificate carries it', async () => {
    const asked = () => opensslCsr({ subject: '/CN=administrator@example.com', sans: ['email:administrator@example.com'] });
    // No proven name: ClientAuth builds its names from the identity and has none to build from.
    const bare = await oidc.sign({ aud: CLIENT_ID, sub: 'mallory-1', email: 'administrator@example.com', email_verified: false });
    const r = await submit(asked(), 'ClientAuth', bearer(bare));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'REQUEST_DENIED', decidedBy: { rule: 'names.identity', field: 'identity' } });
    expect(await certificatesOf(r.body.requestId)).toBe(0);
    expect(await requesterOf(r.body.requestId)).toBe(`oidc:${oidc.issuer}#mallory-1`);

    // A name claim is a display name the IdP vouches for, not a proven name: still nothing to build a
    // client certificate on.
    const named = await oidc.sign({ aud: CLIENT_ID, sub: 'mallory-2', email: 'administrator@example.com', email_verified: false, name: 'Mallory' });
    const r2 = await submit(asked(), 'ClientAuth', bearer(named));
    expect(r2.status).toBe(400);
    expect(r2.body).toMatchObject({ code: 'REQUEST_DENIED', decidedBy: { rule: 'names.identity' } });
    expect(await certificatesOf(r2.body.requestId)).toBe(0);
  });
});

describe('enrollment secret (ADR 0032), as EST clients send it (HTTP Basic)', () => {
  const create = async (name: string) => {
    const r = await stack.admin('POST', '/api/v1/enrollment-secrets', officer, { names: [{ type: 'dns', value: name }], template: 'WebServer', note: 'e2e enrollee' });
    expect(r.status).toBe(201);
    return r.body as { id: string; secret: string };
  };

  it('issued for the bound name; the same secret again is 401', async () => {
    const { id, secret } = await create('est.example.com');
    const r = await submit(webCsr('est.example.com'), 'WebServer', basic(secret));
    expect(r.status).toBe(201);
    expect(verified(r.body.certificate, 'sslserver').subjectAltName).toBe('DNS:est.example.com');
    expect(await requesterOf(r.body.requestId)).toBe(`enrollment-secret:${id}`);

    const again = await submit(webCsr('est.example.com'), 'WebServer', basic(secret));
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ code: 'UNAUTHORIZED', details: { reason: 'invalid_enrollment_secret' } });
    expect(again.headers['www-authenticate']).toContain('Basic');
  });

  it('a name the secret is not bound to: pending, names.unproven naming it', async () => {
    const { secret } = await create('est2.example.com');
    const r = await submit(webCsr('other.example.com'), 'WebServer', basic(secret));
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ disposition: 'pending', decidedBy: { rule: 'names.unproven', value: 'other.example.com' } });
  });
});

describe('bus submitter (ADR 0026)', () => {
  it('is its NATS user, bus:<user>; under the shipped WebServer rules its names are unproven, so it pends', async () => {
    const msg = await stack.nc.request(BusSubmit.subject(stack.ca, 'deployer'), encodeJson({ request: webCsr('deploy.example.com'), attributes: 'CertificateTemplate:WebServer' }), { timeout: 20_000 });
    const reply = decodeJson(msg.data) as any;
    expect(reply).toMatchObject({ ok: true, data: { disposition: 'pending', decidedBy: { rule: 'names.unproven', value: 'deploy.example.com' } } });
    expect(reply.data.certificate).toBeUndefined();
    expect(await requesterOf(reply.data.requestId)).toBe('bus:deployer');
  });
});
