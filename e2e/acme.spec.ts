import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { createCsr } from '@signet/x509';
import { AcmeTestClient, ChallengeValidator, createApp, csrFor, loadConfig, readyOrder } from '../apps/intermediary/src/testing-api';
import { run, writeTemp } from './support/openssl';
import { freePort } from './support/processes';
import { Stack } from './support/stack';

// ACME (ADR 0035) against the real ca-core and policy service with the
// shipped policy: an intermediary with ACME on (in this process, so the
// test can give it its own challenge validator until the validators' module
// is part of the build) orders, validates, finalizes under WebServer, gets a
// certificate with exactly the validated names that openssl and certtool
// accept, and revokes it through ca-core: OCSP says revoked at once.

/** Every challenge passes: this spec is about the flow through the CA, not about validation. */
class AcceptingValidator extends ChallengeValidator {
  async validate(): Promise<{ ok: true }> {
    return { ok: true };
  }
}

const stack = new Stack();
let nc: NatsConnection;
let acme: NestExpressApplication;
let acmeUrl: string;

beforeAll(async () => {
  await stack.start();
  const port = await freePort();
  const config = loadConfig(stack.envFor('intermediary', { SIGNET_HTTP_PORT: String(port), SIGNET_ACME_DATABASE_URL: stack.databaseUrl }));
  nc = await connect({ servers: config.nats.url });
  acme = await createApp(config, nc, { challengeValidator: new AcceptingValidator(), logger: ['error', 'warn'] });
  await acme.listen(port, '127.0.0.1');
  acmeUrl = `http://127.0.0.1:${port}`;
}, 180_000);

afterAll(async () => {
  await acme?.close();
  await nc?.close();
  await stack.close();
}, 60_000);

/** A new account with a ready order for `identifiers` (every challenge passes). */
async function accountWithReadyOrder(identifiers: { type: 'dns' | 'ip'; value: string }[]): Promise<{ c: AcmeTestClient; order: { finalize: string } }> {
  const c = await AcmeTestClient.create(`${acmeUrl}/acme/directory`);
  expect((await c.newAccount({ termsOfServiceAgreed: true })).status).toBe(201);
  return { c, order: (await readyOrder(c, identifiers)).order };
}

/** What the CA's OCSP responder says of a leaf (openssl's output). */
async function ocspOf(leaf: X509Certificate): Promise<string> {
  const caPem = await (await fetch(`${stack.baseUrl}/ca/${stack.ca}.crt?format=pem`)).text();
  const [caPath, leafPath] = [writeTemp('acme-ca.pem', caPem), writeTemp('acme-leaf.pem', leaf.toString())];
  return run('openssl', ['ocsp', '-issuer', caPath, '-cert', leafPath, '-url', `${stack.baseUrl}/ocsp/${stack.ca}`, '-no_nonce', '-CAfile', caPath]).out;
}

describe('ACME through the whole CA', () => {
  it('issues exactly the validated names under WebServer, verifiable by openssl and certtool; revokeCert makes OCSP say revoked', async () => {
    const identifiers = [
      { type: 'dns' as const, value: 'www.acme-e2e.example.com' },
      { type: 'ip' as const, value: '192.0.2.7' },
    ];
    const { c, order } = await accountWithReadyOrder(identifiers);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csr = (await createCsr({ subject: [{ type: 'CN', value: 'www.acme-e2e.example.com' }], sans: identifiers, privateKey })).toString('base64url');
    const fin = await c.post(order.finalize, { csr });
    expect(fin.body).toMatchObject({ status: 'valid' });

    const chain = (await c.post(fin.body.certificate, undefined)).body as string;
    const leaf = new X509Certificate(chain);
    expect(leaf.subjectAltName).toBe('DNS:www.acme-e2e.example.com, IP Address:192.0.2.7');
    const caPem = await (await fetch(`${stack.baseUrl}/ca/${stack.ca}.crt?format=pem`)).text();
    const [caPath, leafPath, chainPath] = [writeTemp('acme-ca.pem', caPem), writeTemp('acme-leaf.pem', leaf.toString()), writeTemp('acme-chain.pem', chain)];
    expect(run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caPath, leafPath]).out).toContain(': OK');
    const certtool = run('certtool', ['--verify', '--load-ca-certificate', caPath, '--infile', chainPath]);
    expect([certtool.code, certtool.out]).toEqual([0, expect.stringContaining('Chain verification output: Verified.')]);

    // ca-core saw the ACME account as the requester, under the profile's template.
    const serial = leaf.serialNumber.toLowerCase();
    const rows = (await stack.db.query(`SELECT r.requester_name, c.template FROM request r JOIN certificate c ON c.request_id = r.id WHERE c.serial = $1`, [serial])).rows;
    expect(rows).toEqual([{ requester_name: `acme-account:${c.kid}`, template: 'WebServer' }]);

    const revoked = await c.post(c.directory.revokeCert, { certificate: leaf.raw.toString('base64url'), reason: 4 });
    expect(revoked.status).toBe(200);
    const ocsp = await ocspOf(leaf);
    expect(ocsp).toMatch(/: revoked/);
    expect(ocsp).toMatch(/Reason: superseded/);
    expect((await c.post(c.directory.revokeCert, { certificate: leaf.raw.toString('base64url') })).body.type).toBe('urn:ietf:params:acme:error:alreadyRevoked');
  }, 120_000);

  it('revokeCert by another account that validated every name of the certificate (RFC 8555 7.6): ca-core revokes, audited as that account', async () => {
    const identifiers = [{ type: 'dns' as const, value: 'other.acme-e2e.example.com' }];
    const { c, order } = await accountWithReadyOrder(identifiers);
    const fin = await c.post(order.finalize, { csr: await csrFor(identifiers) });
    const leaf = new X509Certificate((await c.post(fin.body.certificate, undefined)).body as string);

    const { c: authorised } = await accountWithReadyOrder(identifiers);
    const revoked = await authorised.post(authorised.directory.revokeCert, { certificate: leaf.raw.toString('base64url'), reason: 1 });
    expect(revoked.status).toBe(200);
    expect(await ocspOf(leaf)).toMatch(/Reason: keyCompromise/);
    const audit = (await stack.db.query(`SELECT actor FROM audit_log WHERE serial = $1 AND action = 'certificate.revoke'`, [leaf.serialNumber.toLowerCase()])).rows;
    expect(audit).toEqual([{ actor: `acme-account:${authorised.kid} (authorised for all its names)` }]);
  }, 120_000);
});
