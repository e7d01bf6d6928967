import { createHash, type KeyObject } from 'node:crypto';
import { FlattenedSign, generateKeyPair, type KeyLike } from 'jose';
import { waitFor } from '@signet/testing';
import { ErrorCode, SignetError } from '@signet/contracts';
import { createCsr, createSelfSignedCa, decodeRequestText, fromPem, parseCertificate, parseCsr, toPem } from '@signet/x509';
import { certIdOf } from '../src/acme/ari';
import { TestIssuer } from '../src/testing/acme-certs';
import { AcmeTestClient, ScriptedValidator } from '../src/testing/acme-client';
import { createAcmeTestDatabase, type TestDatabase } from '../src/testing/acme-database';
import { csrFor, PROBLEM, problemOf, readyOrder } from './acme-helpers';
import { FakeCa } from './fake-ca';
import { assertionClaims, startHarness, type Harness } from './harness';

/**
 * The ACME front door end to end over HTTP (RFC 8555), against real
 * PostgreSQL (its own database) and real NATS (a fake ca-core on it). The
 * client is jose signing exactly what a real client signs; the challenge
 * validator is the test's own (ScriptedValidator).
 */
describe('ACME front door (RFC 8555) over real PostgreSQL and NATS', () => {
  let db: TestDatabase;
  let h: Harness;
  const validator = new ScriptedValidator();
  let directoryUrl: string;
  let nextRequestId = 100;

  beforeAll(async () => {
    db = await createAcmeTestDatabase();
    h = await startHarness({ SIGNET_ACME_DATABASE_URL: db.url, SIGNET_ACME_PROFILES: 'default=WebServer,approval=CodeSigning' }, undefined, undefined, validator);
    directoryUrl = h.url('/acme/directory');
  }, 30_000);

  beforeEach(() => {
    h.ca.onSubmit = () => FakeCa.submitted(nextRequestId++, 'issued');
  });

  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  it('ok/the directory lists the resources and meta (profiles, EAB not required), with Link rel=index', async () => {
    const res = await fetch(directoryUrl);
    expect(res.status).toBe(200);
    const dir = (await res.json()) as any;
    expect(dir.newNonce).toBe(h.url('/acme/new-nonce'));
    expect(dir.newAccount).toBe(h.url('/acme/new-account'));
    expect(dir.newOrder).toBe(h.url('/acme/new-order'));
    expect(dir.keyChange).toBe(h.url('/acme/key-change'));
    expect(dir.meta.externalAccountRequired).toBe(false);
    expect(Object.keys(dir.meta.profiles)).toEqual(['default', 'approval']);
    expect(res.headers.get('link')).toBe(`<${directoryUrl}>;rel="index"`);
  });

  it('ok/newNonce: HEAD 200 and GET 204, each with a fresh Replay-Nonce and no-store', async () => {
    const head = await fetch(h.url('/acme/new-nonce'), { method: 'HEAD' });
    const get = await fetch(h.url('/acme/new-nonce'));
    expect(head.status).toBe(200);
    expect(get.status).toBe(204);
    expect(head.headers.get('replay-nonce')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(get.headers.get('replay-nonce')).not.toBe(head.headers.get('replay-nonce'));
    expect(get.headers.get('cache-control')).toBe('no-store');
  });

  it('ok/newAccount → newOrder → challenge → finalize → certificate, as the account with the validated names', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    const acct = await c.newAccount({ termsOfServiceAgreed: true, contact: ['mailto:ops@example.com'] });
    expect(acct.status).toBe(201);
    expect(acct.headers.get('location')).toMatch(new RegExp(`^${h.url('/acme/acct/')}[A-Za-z0-9_-]+$`));
    expect(acct.body).toMatchObject({ status: 'valid', contact: ['mailto:ops@example.com'] });
    expect(acct.headers.get('replay-nonce')).toBeTruthy();

    const identifiers = [
      { type: 'dns' as const, value: 'www.example.com' },
      { type: 'ip' as const, value: '192.0.2.10' },
    ];
    const created = await c.post(c.directory.newOrder, { identifiers });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', identifiers, profile: 'default' });
    expect(created.body.authorizations).toHaveLength(2);
    const authzs = await Promise.all((created.body.authorizations as string[]).map(async (u) => (await c.post(u, undefined)).body));
    const byValue = Object.fromEntries(authzs.map((a: any) => [a.identifier.value, a]));
    expect(byValue['www.example.com'].challenges.map((x: any) => x.type).sort()).toEqual(['dns-01', 'http-01', 'tls-alpn-01']);
    expect(byValue['192.0.2.10'].challenges.map((x: any) => x.type).sort()).toEqual(['http-01', 'tls-alpn-01']);

    // The server's key authorization is token.thumbprint(account key) (RFC 8555 8.1).
    const tp = await c.thumbprint();
    for (const a of authzs) for (const ch of a.challenges) validator.expected.set(ch.token, `${ch.token}.${tp}`);
    for (const a of created.body.authorizations as string[]) {
      const authz = (await c.post(a, undefined)).body;
      const http = authz.challenges.find((x: any) => x.type === 'http-01');
      await c.post(http.url, {});
      const valid = await waitFor('authorization valid', async () => {
        const r = (await c.post(a, undefined)).body;
        return r.status === 'valid' ? r : undefined;
      }, 10_000, 50);
      expect(valid.challenges).toEqual([expect.objectContaining({ type: 'http-01', status: 'valid', validated: expect.any(String) })]);
    }
    const orderUrl = created.headers.get('location')!;
    expect((await c.post(orderUrl, undefined)).body.status).toBe('ready');

    const fin = await c.post(created.body.finalize, { csr: await csrFor(identifiers) });
    expect(fin.status).toBe(200);
    expect(fin.body.status).toBe('valid');
    expect(fin.body.certificate).toBe(h.url(`/acme/cert/${orderUrl.split('/').pop()}`));

    const cert = await c.post(fin.body.certificate, undefined);
    expect(cert.status).toBe(200);
    expect(cert.headers.get('content-type')).toMatch(/^application\/pem-certificate-chain/);
    expect(cert.body).toBe(`${FakeCa.result(1, 'issued').certificate}${FakeCa.result(1, 'issued').chain![0]}`);

    // What ca-core got: the CSR, the profile's template, the order's idempotency key, and the account as the signed requester.
    const submit = h.ca.submits.at(-1)!;
    expect(submit.attributes).toBe('CertificateTemplate:WebServer');
    expect(submit.idempotencyKey).toBe(`acme-order-${orderUrl.split('/').pop()}`);
    const claims = await assertionClaims(h.ca.name, submit.identityAssertion);
    expect(claims.identity).toEqual({ method: 'acme-account', principal: c.kid, names: identifiers, groups: [], evidence: { acmeOrder: orderUrl.split('/').pop() } });
  }, 30_000);

  it('fail/a stale nonce is badNonce with a fresh Replay-Nonce; the retry with it succeeds', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    const bad = await c.post(c.directory.newAccount, { termsOfServiceAgreed: true }, { useJwk: true, nonce: 'bm90LWEtbm9uY2UtaXNzdWVkLWhlcmU' });
    expect(bad.status).toBe(400);
    expect(problemOf(bad)).toBe('badNonce');
    const fresh = bad.headers.get('replay-nonce');
    expect(fresh).toBeTruthy();
    const retry = await c.post(c.directory.newAccount, { termsOfServiceAgreed: true }, { useJwk: true, nonce: fresh! });
    expect(retry.status).toBe(201);
    // A nonce is single use, on every replica: the same one again is refused.
    const replay = await c.post(c.directory.newAccount, { termsOfServiceAgreed: true }, { useJwk: true, nonce: fresh! });
    expect(problemOf(replay)).toBe('badNonce');
  });

  it('ok/newAccount again with the same key returns the account (200); onlyReturnExisting with an unknown key is accountDoesNotExist', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    const first = await c.newAccount();
    const again = await c.post(c.directory.newAccount, { onlyReturnExisting: true }, { useJwk: true });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    const stranger = await AcmeTestClient.create(directoryUrl);
    expect(problemOf(await stranger.post(stranger.directory.newAccount, { onlyReturnExisting: true }, { useJwk: true }))).toBe('accountDoesNotExist');
  });

  it.each(['ES384', 'RS256', 'EdDSA'] as const)('ok/an account key with %s', async (alg) => {
    const c = await AcmeTestClient.create(directoryUrl, alg);
    expect((await c.newAccount()).status).toBe(201);
    expect((await c.post(c.kid!, undefined)).body.status).toBe('valid');
  });

  it('fail/the JWS must sign this URL, with a supported algorithm, as application/jose+json; every answer is a problem with a nonce', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    const wrongUrl = await c.post(c.directory.newOrder, { identifiers: [{ type: 'dns', value: 'a.example.com' }] }, { header: { url: h.url('/acme/new-account') } });
    expect([wrongUrl.status, problemOf(wrongUrl)]).toEqual([403, 'unauthorized']);
    const wrongType = await c.post(c.directory.newOrder, {}, { contentType: 'application/json' });
    expect([wrongType.status, problemOf(wrongType)]).toEqual([415, 'malformed']);
    const junk = await c.post(c.directory.newOrder, undefined, { body: '{"protected":"e30","payload":"","signature":"eA"}' });
    expect(problemOf(junk)).toBe('badSignatureAlgorithm');
    expect(junk.headers.get('replay-nonce')).toBeTruthy();
    expect(junk.headers.get('link')).toBe(`<${directoryUrl}>;rel="index"`);
    const ghost = await c.post(c.directory.newOrder, { identifiers: [] }, { header: { kid: h.url('/acme/acct/nobody') } });
    expect(problemOf(ghost)).toBe('accountDoesNotExist');
  });

  it('fail/a CSR with a name outside the order is badCSR, and the order stays ready', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    const identifiers = [{ type: 'dns' as const, value: 'shop.example.com' }];
    const { url, order } = await readyOrder(c, identifiers);
    const before = h.ca.submits.length;
    const fin = await c.post(order.finalize, { csr: await csrFor([...identifiers, { type: 'dns', value: 'evil.example.net' }]) });
    expect([fin.status, problemOf(fin)]).toEqual([400, 'badCSR']);
    expect(fin.body.detail).toMatch(/evil\.example\.net/);
    expect(problemOf(await c.post(order.finalize, { csr: 'not base64url!' }))).toBe('malformed');
    expect(problemOf(await c.post(order.finalize, { csr: Buffer.from('junk').toString('base64url') }))).toBe('badCSR');
    expect(h.ca.submits.length).toBe(before);
    expect((await c.post(url, undefined)).body.status).toBe('ready');
  });

  it('ok/finalize sent twice at once submits once; both answers show the one order', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    const identifiers = [{ type: 'dns' as const, value: 'twice.example.com' }];
    const { url, order } = await readyOrder(c, identifiers);
    const csr = await csrFor(identifiers);
    const nonces = [await c.freshNonce(), await c.freshNonce()];
    const before = h.ca.submits.length;
    const answers = await Promise.all(nonces.map((nonce) => c.post(order.finalize, { csr }, { nonce })));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(h.ca.submits.length).toBe(before + 1);
    expect(h.ca.submits.at(-1)!.idempotencyKey).toBe(`acme-order-${url.split('/').pop()}`);
    expect((await c.post(url, undefined)).body.status).toBe('valid');
    // Once more, later: the valid order again, no submit.
    expect((await c.post(order.finalize, { csr })).body.status).toBe('valid');
    expect(h.ca.submits.length).toBe(before + 1);
  });

  it('fail/finalize before the order is ready is orderNotReady; a wrong answer makes the authorisation and order invalid with the validator\'s problem', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    validator.answers.set('wrong.example.com', { ok: false, error: { type: 'incorrectResponse', detail: 'the file at /.well-known/acme-challenge/ held something else' } });
    const created = await c.post(c.directory.newOrder, { identifiers: [{ type: 'dns', value: 'wrong.example.com' }] });
    const early = await c.post(created.body.finalize, { csr: await csrFor([{ type: 'dns', value: 'wrong.example.com' }]) });
    expect([early.status, problemOf(early)]).toEqual([403, 'orderNotReady']);
    const authzUrl = created.body.authorizations[0];
    const ch = (await c.post(authzUrl, undefined)).body.challenges.find((x: any) => x.type === 'http-01');
    await c.post(ch.url, {});
    const authz = await waitFor('authorization invalid', async () => {
      const r = (await c.post(authzUrl, undefined)).body;
      return r.status === 'invalid' ? r : undefined;
    }, 10_000, 50);
    const failed = authz.challenges.find((x: any) => x.type === 'http-01');
    expect(failed.status).toBe('invalid');
    expect(failed.error).toMatchObject({ type: `${PROBLEM}incorrectResponse`, detail: 'the file at /.well-known/acme-challenge/ held something else', identifier: { type: 'dns', value: 'wrong.example.com' } });
    expect((await c.post(created.headers.get('location')!, undefined)).body.status).toBe('invalid');
  });

  it('ok/a wildcard is offered dns-01 only, for its base name', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    const created = await c.post(c.directory.newOrder, { identifiers: [{ type: 'dns', value: '*.wild.example.com' }] });
    const authz = (await c.post(created.body.authorizations[0], undefined)).body;
    expect(authz).toMatchObject({ identifier: { type: 'dns', value: 'wild.example.com' }, wildcard: true });
    expect(authz.challenges.map((x: any) => x.type)).toEqual(['dns-01']);
  });

  it('ok/an authorisation can be deactivated, which ends its order', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    const created = await c.post(c.directory.newOrder, { identifiers: [{ type: 'dns', value: 'gone.example.com' }] });
    const r = await c.post(created.body.authorizations[0], { status: 'deactivated' });
    expect(r.body.status).toBe('deactivated');
    expect((await c.post(created.headers.get('location')!, undefined)).body.status).toBe('invalid');
  });

  it('fail/another account cannot read an order, an authorisation or a certificate', async () => {
    const owner = await AcmeTestClient.create(directoryUrl);
    await owner.newAccount();
    const created = await owner.post(owner.directory.newOrder, { identifiers: [{ type: 'dns', value: 'mine.example.com' }] });
    const other = await AcmeTestClient.create(directoryUrl);
    await other.newAccount();
    for (const u of [created.headers.get('location')!, created.body.authorizations[0]]) {
      const r = await other.post(u, undefined);
      expect(r.status).toBe(404);
    }
  });

  it('ok/account update and deactivation; a deactivated account can do nothing more', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    const updated = await c.post(c.kid!, { contact: ['mailto:new@example.com'] });
    expect(updated.body.contact).toEqual(['mailto:new@example.com']);
    expect(problemOf(await c.post(c.kid!, { contact: ['tel:+1555'] }))).toBe('unsupportedContact');
    expect((await c.post(c.kid!, { status: 'deactivated' })).body.status).toBe('deactivated');
    const after = await c.post(c.directory.newOrder, { identifiers: [{ type: 'dns', value: 'late.example.com' }] });
    expect([after.status, problemOf(after)]).toEqual([403, 'unauthorized']);
    expect(problemOf(await c.post(c.directory.newAccount, { onlyReturnExisting: true }, { useJwk: true }))).toBe('unauthorized');
  });

  it('ok/key rollover: the new key signs for the account, the old one no longer does', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    const next = await AcmeTestClient.create(directoryUrl, 'ES384');
    const url = c.directory.keyChange;
    const inner = await new FlattenedSign(new TextEncoder().encode(JSON.stringify({ account: c.kid, oldKey: c.jwk })))
      .setProtectedHeader({ alg: 'ES384', jwk: next.jwk, url })
      .sign(next.privateKey);
    const r = await c.post(url, inner);
    expect(r.status).toBe(200);
    expect(problemOf(await c.post(c.kid!, undefined))).toBe('malformed');
    next.kid = c.kid;
    expect((await next.post(c.kid!, undefined)).body.status).toBe('valid');
  });

  it('ok/approval: pending at the CA keeps the order processing (Retry-After) until a poll finds it issued', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    const identifiers = [{ type: 'dns' as const, value: 'approve.example.com' }];
    const { url, order } = await readyOrder(c, identifiers, 'dns-01', { profile: 'approval' });
    h.ca.onSubmit = () => FakeCa.submitted(4242, 'pending');
    h.ca.onRetrieve = (r) => FakeCa.result(r.requestId, 'pending');
    const fin = await c.post(order.finalize, { csr: await csrFor(identifiers) });
    expect(fin.body.status).toBe('processing');
    expect(fin.headers.get('retry-after')).toBe('3');
    expect(h.ca.submits.at(-1)!.attributes).toBe('CertificateTemplate:CodeSigning');
    const waiting = await c.post(url, undefined);
    expect(waiting.body.status).toBe('processing');
    expect(h.ca.retrieves.at(-1)).toMatchObject({ requestId: 4242, retrievalSecret: FakeCa.SECRET });
    const claims = await assertionClaims(h.ca.name, h.ca.retrieves.at(-1)!.identityAssertion);
    expect(claims).toMatchObject({ purpose: 'retrieve', requestId: 4242, identity: { method: 'acme-account', principal: c.kid } });
    // An officer resubmits in admin-api; the next poll sees it issued.
    h.ca.onRetrieve = (r) => FakeCa.result(r.requestId, 'issued');
    const done = await c.post(url, undefined);
    expect(done.body.status).toBe('valid');
    expect((await c.post(done.body.certificate, undefined)).status).toBe(200);
  });

  it('ok/approval denied: the order ends invalid with a problem naming the deciding rule', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    const identifiers = [{ type: 'dns' as const, value: 'deny.example.com' }];
    const { url, order } = await readyOrder(c, identifiers, 'http-01', { profile: 'approval' });
    h.ca.onSubmit = () => FakeCa.submitted(4343, 'pending');
    expect((await c.post(order.finalize, { csr: await csrFor(identifiers) })).body.status).toBe('processing');
    h.ca.onRetrieve = (r) => FakeCa.result(r.requestId, 'denied', { message: 'denied by a certificate manager', decidedBy: { rule: 'officer.deny' } });
    const denied = await c.post(url, undefined);
    expect(denied.body.status).toBe('invalid');
    expect(denied.body.error).toMatchObject({ type: `${PROBLEM}unauthorized`, decidedBy: { rule: 'officer.deny' } });
    expect(denied.body.error.detail).toMatch(/rule officer\.deny/);
  });

  describe('revokeCert (RFC 8555 7.6) through ca-core', () => {
    /** An account with a valid order whose certificate is a real one for the CSR's key (self-signed: only its serial, key and hash matter here). */
    async function certified(value: string): Promise<{ c: AcmeTestClient; der: Buffer; serial: string; keys: { privateKey: KeyLike; publicKey: KeyLike } }> {
      const c = await AcmeTestClient.create(directoryUrl);
      await c.newAccount();
      const identifiers = [{ type: 'dns' as const, value }];
      const { order } = await readyOrder(c, identifiers);
      const keys = await generateKeyPair('ES256');
      const now = Date.now();
      const der = await createSelfSignedCa({ subject: [{ type: 'CN', value }], privateKey: keys.privateKey as KeyObject, publicKey: keys.publicKey as KeyObject, notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
      const serial = parseCertificate(der).serialHex;
      h.ca.onSubmit = () => FakeCa.submitted(nextRequestId++, 'issued', { certificate: toPem(der, 'CERTIFICATE'), serial });
      const csr = (await createCsr({ subject: [], sans: identifiers, privateKey: keys.privateKey as KeyObject })).toString('base64url');
      expect((await c.post(order.finalize, { csr })).body.status).toBe('valid');
      return { c, der, serial, keys };
    }

    it('ok/by the account that ordered it: ca-core is asked with proof requester, the certificate\'s hash and the reason', async () => {
      const { c, der, serial } = await certified('revoke-me.example.com');
      expect(c.directory.revokeCert).toBe(h.url('/acme/revoke-cert'));
      const r = await c.post(c.directory.revokeCert, { certificate: der.toString('base64url'), reason: 4 });
      expect(r.status).toBe(200);
      const sent = h.ca.revokes.at(-1)!;
      expect(sent).toMatchObject({ serial, reason: 4 });
      const claims = await assertionClaims(h.ca.name, sent.identityAssertion);
      expect(claims).toMatchObject({ purpose: 'revoke', serial, reason: 4, proof: 'requester', certificateSha256: createHash('sha256').update(der).digest('hex'), identity: { method: 'acme-account', principal: c.kid } });
    });

    it('ok/by the certificate\'s own key (jwk), with proof certificate-key', async () => {
      const { der, serial, keys } = await certified('by-key.example.com');
      const holder = await AcmeTestClient.withKey(directoryUrl, 'ES256', keys.privateKey, keys.publicKey);
      const r = await holder.post(holder.directory.revokeCert, { certificate: der.toString('base64url'), reason: 1 }, { useJwk: true });
      expect(r.status).toBe(200);
      const claims = await assertionClaims(h.ca.name, h.ca.revokes.at(-1)!.identityAssertion);
      expect(claims).toMatchObject({ serial, reason: 1, proof: 'certificate-key', identity: { method: 'anonymous' } });
    });

    it('ok/by another account holding valid authorisations for every name of the certificate (7.6), with proof authorizations and those names', async () => {
      const { der, serial } = await certified('authorised.example.com');
      const other = await AcmeTestClient.create(directoryUrl);
      await other.newAccount();
      const before = h.ca.revokes.length;
      // An authorisation for another name (here a subdomain) is not one for the certificate's.
      await readyOrder(other, [{ type: 'dns', value: 'www.authorised.example.com' }]);
      const refused = await other.post(other.directory.revokeCert, { certificate: der.toString('base64url'), reason: 1 });
      expect(problemOf(refused)).toBe('unauthorized');
      expect(refused.body.detail).toBe('this account neither ordered this certificate nor holds valid authorizations for all its names');
      expect(h.ca.revokes.length).toBe(before);

      await readyOrder(other, [{ type: 'dns', value: 'authorised.example.com' }]);
      const r = await other.post(other.directory.revokeCert, { certificate: der.toString('base64url'), reason: 1 });
      expect(r.status).toBe(200);
      const claims = await assertionClaims(h.ca.name, h.ca.revokes.at(-1)!.identityAssertion);
      expect(claims).toMatchObject({ serial, reason: 1, proof: 'authorizations', identity: { method: 'acme-account', principal: other.kid, names: [{ type: 'dns', value: 'authorised.example.com' }] } });
    });

    it('fail/another account, another key, a reason ACME does not allow, a certificate already revoked', async () => {
      const { der } = await certified('not-yours.example.com');
      const before = h.ca.revokes.length;
      const other = await AcmeTestClient.create(directoryUrl);
      await other.newAccount();
      expect(problemOf(await other.post(other.directory.revokeCert, { certificate: der.toString('base64url') }))).toBe('unauthorized');
      const stranger = await AcmeTestClient.create(directoryUrl);
      expect(problemOf(await stranger.post(stranger.directory.revokeCert, { certificate: der.toString('base64url') }, { useJwk: true }))).toBe('unauthorized');
      expect(h.ca.revokes.length).toBe(before);
      const { c, der: mine } = await certified('twice.revoke.example.com');
      expect(problemOf(await c.post(c.directory.revokeCert, { certificate: mine.toString('base64url'), reason: 6 }))).toBe('badRevocationReason');
      h.ca.onRevoke = () => {
        throw new SignetError(ErrorCode.WrongState, 'already revoked');
      };
      expect(problemOf(await c.post(c.directory.revokeCert, { certificate: mine.toString('base64url') }))).toBe('alreadyRevoked');
      h.ca.onRevoke = (r) => ({ serial: r.serial, status: 'revoked', caDisposition: 2, reason: r.reason });
    });
  });

  describe('ARI (RFC 9773): renewalInfo and replaces', () => {
    it('ok/a suggested window for a delivered certificate; replaces once per certificate, by its account only', async () => {
      const issuer = await TestIssuer.create();
      const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
      const notAfter = new Date(notBefore.getTime() + 90 * 86_400_000);
      h.ca.onSubmit = async (req) => {
        const csr = await parseCsr(decodeRequestText(req.request));
        const leaf = await issuer.issue(csr.spki, csr.subjectAltNames, notBefore, notAfter);
        return FakeCa.submitted(nextRequestId++, 'issued', { certificate: leaf.pem, chain: [issuer.pem], serial: leaf.serial });
      };
      const c = await AcmeTestClient.create(directoryUrl);
      await c.newAccount();
      expect(c.directory.renewalInfo).toBe(h.url('/acme/renewal-info'));
      const identifiers = [{ type: 'dns' as const, value: 'renew.example.com' }];
      const { order } = await readyOrder(c, identifiers);
      const fin = await c.post(order.finalize, { csr: await csrFor(identifiers) });
      const pem = (await c.post(fin.body.certificate, undefined)).body as string;
      const certId = certIdOf(parseCertificate(fromPem(pem, 'CERTIFICATE')))!;

      const info = await fetch(`${c.directory.renewalInfo}/${certId}`);
      expect(info.status).toBe(200);
      expect(info.headers.get('retry-after')).toBe('21600');
      expect(await info.json()).toEqual({ suggestedWindow: { start: new Date(notBefore.getTime() + 60 * 86_400_000).toISOString(), end: new Date(notBefore.getTime() + 75 * 86_400_000).toISOString() } });
      const unknown = await fetch(`${c.directory.renewalInfo}/${certId.split('.')[0]}.AQID`);
      expect(unknown.status).toBe(404);
      expect((await fetch(`${c.directory.renewalInfo}/not-an-id`)).status).toBe(400);

      const other = await AcmeTestClient.create(directoryUrl);
      await other.newAccount();
      expect(problemOf(await other.post(other.directory.newOrder, { identifiers, replaces: certId }))).toBe('malformed');
      const renewal = await c.post(c.directory.newOrder, { identifiers, replaces: certId });
      expect(renewal.status).toBe(201);
      expect(renewal.body.replaces).toBe(certId);
      const again = await c.post(c.directory.newOrder, { identifiers, replaces: certId });
      expect([again.status, problemOf(again)]).toEqual([409, 'alreadyReplaced']);
    });
  });

  it('ok/a profile\'s own directory: its newOrder orders that profile; an unknown profile has none', async () => {
    const res = await fetch(h.url('/acme/approval/directory'));
    expect(res.status).toBe(200);
    const dir = (await res.json()) as any;
    expect(dir.newOrder).toBe(h.url('/acme/approval/new-order'));
    expect(dir.newAccount).toBe(h.url('/acme/new-account'));
    expect(res.headers.get('link')).toBe(`<${h.url('/acme/approval/directory')}>;rel="index"`);
    const c = await AcmeTestClient.create(h.url('/acme/approval/directory'));
    await c.newAccount();
    const created = await c.post(c.directory.newOrder, { identifiers: [{ type: 'dns', value: 'profiled.example.com' }] });
    expect([created.status, created.body.profile]).toEqual([201, 'approval']);
    expect(problemOf(await c.post(c.directory.newOrder, { identifiers: [{ type: 'dns', value: 'p2.example.com' }], profile: 'default' }))).toBe('malformed');
    expect((await fetch(h.url('/acme/nope/directory'))).status).toBe(404);
  });

  it('fail/an unknown profile', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    expect(problemOf(await c.post(c.directory.newOrder, { identifiers: [{ type: 'dns', value: 'p.example.com' }], profile: 'nope' }))).toBe('malformed');
  });
});

