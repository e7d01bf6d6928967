import { servedCertificate, startChallTestSrv, type ChallTestSrv } from '@signet/testing';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  certbot,
  certbotLog,
  certbotRevoke,
  certbotWithCsr,
  dehydrated,
  dehydratedRevoke,
  dehydratedSignCsr,
  lego,
  legoRevoke,
  serveWellKnown,
  type AcmeClientSetup,
  type ClientRun,
} from './support/acme-clients';
import { execFileSync } from 'node:child_process';
import { signetCli } from './support/cli';
import { run } from './support/openssl';
import { freePort, ROOT, waitFor } from './support/processes';
import { Stack } from './support/stack';

// Debian 12's ACME clients, unmodified (lego 4.9, certbot 2.1, dehydrated
// 0.7), against the whole stack: the intermediary serves ACME over its
// HTTPS listener and validates challenges for real (ADR 0036) on ports the
// clients listen on, asking pebble-challtestsrv for DNS. Every certificate
// is checked by openssl and certtool, renewed and revoked through the
// client that got it (OCSP says revoked at once); an approval profile keeps
// lego's and certbot's orders processing until an officer runs `signet
// resubmit` or `signet deny`; certbot retries a stale nonce (badNonce) and
// gets badCSR for a CSR naming more than its order; last, the intermediary
// restarts requiring External Account Binding.

const stack = new Stack();
const dir = mkdtempSync(join(tmpdir(), 'signet-acme-clients-'));
let dns: ChallTestSrv;
let caPath: string;
let httpPort: number;
let tlsPort: number;
let officer: string;

/** The shipped policy plus two WebServer variants: wildcards allowed, and every request waiting for approval. */
function policyFile(): string {
  const policy = parse(readFileSync(join(__dirname, '..', 'config', 'policy.yaml'), 'utf8'));
  const web = policy.templates.WebServer;
  policy.templates.WebServerWildcard = { ...structuredClone(web), description: 'WebServer with wildcards', san: { ...structuredClone(web.san), dns: { ...web.san.dns, allowWildcard: true } } };
  policy.templates.WebServerApproval = { ...structuredClone(web), description: 'WebServer after approval', requiresApproval: true };
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, stringify(policy));
  return path;
}

function setup(name: string, profile?: string): AcmeClientSetup {
  return {
    directoryUrl: `${stack.httpsUrl}/acme/${profile ? `${profile}/` : ''}directory`,
    caBundle: caPath,
    httpPort,
    tlsPort,
    dnsResolver: dns.dns,
    dnsManagementUrl: dns.managementUrl,
    dir: join(dir, name),
  };
}

function ok(r: ClientRun): string {
  if (r.code !== 0 || !r.certificate) throw new Error(`client failed (${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.certificate;
}

/** The client exited 0 (its output in the failure otherwise). */
function succeeded(r: ClientRun): void {
  if (r.code !== 0) throw new Error(`client failed (${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
}

/** The leaf (first PEM block) of a chain. */
const leafOf = (chain: string) => new X509Certificate(chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)![0]);

/** openssl -x509_strict -purpose sslserver and certtool accept the chain; the SANs are exactly `names`. */
function verified(chain: string, names: string[]): X509Certificate {
  const leaf = leafOf(chain);
  const leafPath = join(dir, `leaf-${leaf.serialNumber}.pem`);
  const chainPath = join(dir, `chain-${leaf.serialNumber}.pem`);
  writeFileSync(leafPath, leaf.toString());
  writeFileSync(chainPath, chain);
  expect(run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caPath, leafPath]).out).toContain(': OK');
  const certtool = run('certtool', ['--verify', '--load-ca-certificate', caPath, '--infile', chainPath]);
  expect([certtool.code, certtool.out]).toEqual([0, expect.stringContaining('Chain verification output: Verified.')]);
  const sans = (leaf.subjectAltName ?? '').split(', ').sort();
  expect(sans).toEqual(names.map((n) => `DNS:${n}`).sort());
  return leaf;
}

/** What the CA's OCSP responder says about a certificate: "good" or "revoked". */
function ocsp(leaf: X509Certificate): string {
  const leafPath = join(dir, `ocsp-${leaf.serialNumber}.pem`);
  writeFileSync(leafPath, leaf.toString());
  const out = run('openssl', ['ocsp', '-issuer', caPath, '-cert', leafPath, '-url', `${stack.baseUrl}/ocsp/${stack.ca}`, '-no_nonce', '-CAfile', caPath]).out;
  return /: revoked/.test(out) ? 'revoked' : /: good/.test(out) ? 'good' : out;
}

/** Runs with a server on the http-01 port (dehydrated's web server, or a wrong one), closed afterwards. */
async function withServer<T>(server: Promise<Server>, fn: () => Promise<T>): Promise<T> {
  const s = await server;
  try {
    return await fn();
  } finally {
    await new Promise((r) => s.close(r));
  }
}

/** The stack's environment (the intermediary's again when it restarts with EAB required). */
let env: NodeJS.ProcessEnv;

/** The HTTPS listener serves the intermediary's self-issued certificate before any client starts. */
const httpsServing = () => waitFor('the HTTPS listener', () => servedCertificate(stack.httpsPort).then(() => true, () => false), 30_000);

beforeAll(async () => {
  dns = await startChallTestSrv();
  [httpPort, tlsPort] = [await freePort(), await freePort()];
  env = {
    SIGNET_TLS_MODE: 'self-issued',
    SIGNET_POLICY_FILE: policyFile(),
    SIGNET_ACME_DATABASE_URL: stack.databaseUrl,
    SIGNET_ACME_PROFILES: 'default=WebServer,wildcard=WebServerWildcard,approval=WebServerApproval',
    SIGNET_ACME_HTTP01_PORT: String(httpPort),
    SIGNET_ACME_TLSALPN01_PORT: String(tlsPort),
    SIGNET_ACME_DNS_RESOLVERS: dns.dns,
    SIGNET_ACME_ALLOW_PRIVATE_ADDRESSES: 'true',
  };
  await stack.start(env);
  caPath = join(dir, 'ca.pem');
  writeFileSync(caPath, await (await fetch(`${stack.baseUrl}/ca/${stack.ca}.crt?format=pem`)).text());
  await httpsServing();
  officer = stack.token('acme-officer', ['officer']).token;
}, 180_000);

afterAll(async () => {
  await stack.close();
  await dns?.stop();
}, 60_000);

describe('lego 4.9', () => {
  const s = () => setup('lego');
  const issued: Record<string, X509Certificate> = {};

  it.each([
    ['http-01', ['lego-http.example.com', 'www.lego-http.example.com']],
    ['dns-01', ['lego-dns.example.com']],
    ['tls-alpn-01', ['lego-tls.example.org']],
  ] as const)('obtains a certificate with %s', async (challenge, domains) => {
    issued[challenge] = verified(ok(await lego(s(), { domains: [...domains], challenge })), [...domains]);
  }, 150_000);

  it('obtains a wildcard through dns-01 from the wildcard profile', async () => {
    const domains = ['*.lego-wild.example.net', 'lego-wild.example.net'];
    verified(ok(await lego(setup('lego-wild', 'wildcard'), { domains, challenge: 'dns-01' })), domains);
  }, 150_000);

  it('renews (renew --days 9999) and revokes; OCSP says revoked at once', async () => {
    const domains = ['lego-http.example.com', 'www.lego-http.example.com'];
    const renewed = verified(ok(await lego(s(), { domains, challenge: 'http-01' }, 'renew', ['--days', '9999', '--no-random-sleep'])), domains);
    expect(renewed.serialNumber).not.toBe(issued['http-01'].serialNumber);
    // lego revokes the certificate stored under each --domains given: the first names it.
    const r = await legoRevoke(s(), [domains[0]], 4);
    succeeded(r);
    expect(ocsp(renewed)).toBe('revoked');
  }, 150_000);
});

describe('certbot 2.1', () => {
  const s = () => setup('certbot');
  let first: X509Certificate;

  it('obtains a certificate with http-01 (standalone)', async () => {
    first = verified(ok(await certbot(s(), { domains: ['certbot-http.example.com'], challenge: 'http-01' })), ['certbot-http.example.com']);
  }, 150_000);

  it('obtains a certificate with dns-01 (manual hooks)', async () => {
    verified(ok(await certbot(s(), { domains: ['certbot-dns.example.org', 'alt.certbot-dns.example.org'], challenge: 'dns-01' })), ['certbot-dns.example.org', 'alt.certbot-dns.example.org']);
  }, 150_000);

  it('renews (--force-renewal) and revokes; OCSP says revoked at once', async () => {
    const renewed = verified(ok(await certbot(s(), { domains: ['certbot-http.example.com'], challenge: 'http-01' }, ['--force-renewal'])), ['certbot-http.example.com']);
    expect(renewed.serialNumber).not.toBe(first.serialNumber);
    const r = await certbotRevoke(s(), 'certbot-http.example.com', 'superseded');
    succeeded(r);
    expect(ocsp(renewed)).toBe('revoked');
  }, 150_000);
});

describe('dehydrated 0.7', () => {
  const s = () => setup('dehydrated');
  let first: X509Certificate;

  it('obtains a certificate with http-01 (its well-known directory served on the validator port)', async () => {
    first = verified(ok(await withServer(serveWellKnown(s()), () => dehydrated(s(), { domains: ['dehydrated-http.example.com'], challenge: 'http-01' }))), ['dehydrated-http.example.com']);
  }, 150_000);

  it('obtains a certificate with dns-01 (hook)', async () => {
    verified(ok(await dehydrated(s(), { domains: ['dehydrated-dns.example.net'], challenge: 'dns-01' })), ['dehydrated-dns.example.net']);
  }, 150_000);

  it('renews (-x) and revokes; OCSP says revoked at once', async () => {
    const domains = ['dehydrated-http.example.com'];
    const renewed = verified(ok(await withServer(serveWellKnown(s()), () => dehydrated(s(), { domains, challenge: 'http-01' }, ['-x']))), domains);
    expect(renewed.serialNumber).not.toBe(first.serialNumber);
    const r = await dehydratedRevoke(s(), domains[0]);
    succeeded(r);
    expect(ocsp(renewed)).toBe('revoked');
  }, 150_000);

  it('a wrong http-01 answer makes the authorization invalid, with the problem detail in its output', async () => {
    const wrong = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('not-the-key-authorization'));
    const listening = new Promise<Server>((resolve) => wrong.listen(httpPort, '127.0.0.1', () => resolve(wrong)));
    const r = await withServer(listening, () => dehydrated(s(), { domains: ['dehydrated-wrong.example.com'], challenge: 'http-01' }));
    const out = `${r.stdout}${r.stderr}`;
    expect(r.code).not.toBe(0);
    expect(r.certificate).toBeUndefined();
    expect(out).toMatch(/urn:ietf:params:acme:error:incorrectResponse/);
    expect(out).toContain(`is not the key authorization`);
    expect(out).toContain(`not-the-key-authorization`);
  }, 150_000);
});

describe('an approval profile (WebServerApproval): the order waits in processing until `signet resubmit` or `signet deny`', () => {
  /** The CA request behind the newest pending ACME order. */
  async function pendingRequest(): Promise<number> {
    let id = 0;
    await waitFor('the ACME order to pend at the CA', async () => {
      const rows = (await stack.db.query(`SELECT id FROM request WHERE requester_name LIKE 'acme-account:%' AND disposition = 'pending' ORDER BY id DESC LIMIT 1`)).rows;
      id = rows[0]?.id ?? 0;
      return id > 0;
    }, 60_000, 200);
    return Number(id);
  }

  /** The officer's CLI, as a certificate manager runs it. */
  const signet = (args: string[]) => signetCli(stack, args, officer);

  it('lego waits; after `signet resubmit` it receives its certificate', async () => {
    const domains = ['approved.example.com'];
    const waiting = lego(setup('lego-approval', 'approval'), { domains, challenge: 'http-01' });
    const id = await pendingRequest();
    const resubmitted = await signet(['resubmit', String(id), '--json']);
    expect({ code: resubmitted.code, stderr: resubmitted.stderr }).toEqual({ code: 0, stderr: '' });
    expect(resubmitted.json).toMatchObject({ requestId: id, disposition: 'issued' });
    verified(ok(await waiting), domains);
  }, 150_000);

  it('a denial (`signet deny`) ends the order invalid: lego exits non-zero naming the rule', async () => {
    const waiting = lego(setup('lego-approval', 'approval'), { domains: ['denied.example.com'], challenge: 'http-01' });
    const id = await pendingRequest();
    const denied = await signet(['deny', String(id), '--reason', 'not this host', '--json']);
    expect(denied.code).toBe(0);
    expect(denied.json).toMatchObject({ requestId: id, disposition: 'denied' });
    const r = await waiting;
    expect(r.code).not.toBe(0);
    expect(r.certificate).toBeUndefined();
    // lego 4.9 keeps polling an invalid order until its certificate timeout (30 s), then prints the order's problem.
    expect(`${r.stdout}${r.stderr}`).toContain(`urn:ietf:params:acme:error:unauthorized :: the CA denied request ${id} by rule officer`);
  }, 150_000);

  it('certbot polls the processing order; its nonce goes stale meanwhile (badNonce), it retries and, after `signet resubmit`, gets its certificate', async () => {
    const domains = ['certbot-approved.example.com'];
    const s = setup('certbot-approval', 'approval');
    const waiting = certbot(s, { domains, challenge: 'http-01' });
    const id = await pendingRequest();
    // certbot polls the order once a second, each time with the nonce of the answer before: forget every nonce the service gave out.
    const forgotten = (await stack.db.query('DELETE FROM acme.nonces')).rowCount;
    expect(forgotten).toBeGreaterThan(0);
    expect((await signet(['resubmit', String(id), '--json'])).json).toMatchObject({ requestId: id, disposition: 'issued' });
    verified(ok(await waiting), domains);
    // certbot's own debug log: the server answered badNonce and certbot sent the request again (acme's ClientNetwork.post retries it once).
    const log = certbotLog(s);
    expect(log).toContain('urn:ietf:params:acme:error:badNonce');
    expect(log).toMatch(/Retrying request after error:\s+urn:ietf:params:acme:error:badNonce/);
  }, 150_000);
});

describe('failure paths through a real client', () => {
  /** A P-256 CSR made by openssl with this subject and subjectAltName, in the client's directory. */
  function opensslCsr(s: AcmeClientSetup, subject: string, san: string): string {
    mkdirSync(s.dir, { recursive: true });
    const [key, csr] = [join(s.dir, 'csr.key'), join(s.dir, 'outside.csr')];
    run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', subject, '-addext', `subjectAltName=${san}`]);
    return csr;
  }

  it('dehydrated --signcsr with a common name outside its order (it orders the SANs only) shows badCSR, and no certificate', async () => {
    const s = setup('dehydrated-csr');
    const csr = opensslCsr(s, '/CN=elsewhere.example.com', 'DNS:dehydrated-csr.example.com');
    const before = await stack.count('request');
    const r = await withServer(serveWellKnown(s), () => dehydratedSignCsr(s, csr));
    const out = `${r.stdout}${r.stderr}`;
    expect(r.code).not.toBe(0);
    expect(r.certificate).toBeUndefined();
    expect(out).toContain('urn:ietf:params:acme:error:badCSR');
    expect(out).toContain(`the CSR's common name \\"elsewhere.example.com\\" is not an identifier of the order`);
    expect(await stack.count('request')).toBe(before);
  }, 150_000);

  // certbot orders the CSR's DNS names and IP addresses, and leaves out the names ACME cannot order (an email address).
  it('certbot --csr with a name its order lacks (an email address beside the DNS name) gets badCSR, and no certificate', async () => {
    const s = setup('certbot-csr');
    const csr = opensslCsr(s, '/CN=certbot-csr.example.com', 'DNS:certbot-csr.example.com,email:ops@certbot-csr.example.com');
    const before = await stack.count('request');
    const r = await certbotWithCsr(s, csr);
    expect(r.code).not.toBe(0);
    expect(r.certificate).toBeUndefined();
    // certbot received the problem (its debug log); on Debian 12's Python 3.11 its terminal then shows only
    // "AttributeError: can't set attribute" (josepy's immutable acme.messages.Error cannot take a traceback).
    expect(certbotLog(s)).toContain('acme.messages.Error: urn:ietf:params:acme:error:badCSR :: The CSR is unacceptable (e.g., due to a short key) :: the CSR asks for a email name; only dns and ip names can be ordered');
    // Refused at the front door: nothing reached the CA.
    expect(await stack.count('request')).toBe(before);
  }, 150_000);
});

// Last: the intermediary restarts, and from then on every new account must be bound to an external account key.
describe('External Account Binding required (SIGNET_ACME_EAB_REQUIRED)', () => {
  /** The operator's tool: a key id and MAC key (base64url), printed once. */
  function eabKey(): { kid: string; hmacKey: string } {
    const out = execFileSync(process.execPath, [join(ROOT, 'dist', 'apps', 'intermediary', 'acme', 'eab-cli.js'), 'create'], { env: { PATH: process.env.PATH, SIGNET_ACME_DATABASE_URL: stack.databaseUrl } });
    return JSON.parse(out.toString());
  }

  beforeAll(async () => {
    await stack.restart('intermediary', { ...env, SIGNET_ACME_EAB_REQUIRED: 'true' });
    await httpsServing();
  }, 120_000);

  it('lego without a binding stops at the directory (externalAccountRequired); with one from eab-cli it gets a certificate, and the audit names the key id', async () => {
    const domains = ['eab.example.com'];
    // lego reads meta.externalAccountRequired and sends no newAccount without --eab (the server's own refusal of one: test/acme-accounts-limits.int.spec.ts).
    const refused = await lego(setup('lego-no-eab'), { domains, challenge: 'http-01' });
    expect(refused.code).not.toBe(0);
    expect(refused.certificate).toBeUndefined();
    expect(`${refused.stdout}${refused.stderr}`).toContain('Server requires External Account Binding. Use --eab with --kid and --hmac.');

    const eab = eabKey();
    expect(eab.kid).toMatch(/^eab_[A-Za-z0-9_-]+$/);
    const leaf = verified(ok(await lego({ ...setup('lego-eab'), eab }, { domains, challenge: 'http-01' })), domains);
    const rows = (await stack.db.query(
      `SELECT r.requester_name, a.details->'identity' AS identity FROM certificate c JOIN request r ON r.id = c.request_id JOIN audit_log a ON a.request_id = r.id AND a.action = 'request.submit' WHERE c.serial = $1`,
      [leaf.serialNumber.toLowerCase()],
    )).rows;
    expect(rows).toEqual([{ requester_name: expect.stringMatching(/^acme-account:https:\/\/.+\/acme\/acct\//), identity: { method: 'acme-account', principal: rows[0].requester_name.replace(/^acme-account:/, ''), evidence: expect.objectContaining({ eabKid: eab.kid }) } }]);
  }, 150_000);

  it('certbot with --eab-kid and --eab-hmac-key gets a certificate; a key already bound cannot bind a second account', async () => {
    const eab = eabKey();
    const domains = ['certbot-eab.example.com'];
    verified(ok(await certbot({ ...setup('certbot-eab'), eab }, { domains, challenge: 'http-01' })), domains);
    const reused = await certbot({ ...setup('certbot-eab-again'), eab }, { domains, challenge: 'http-01' });
    expect(reused.code).not.toBe(0);
    expect(`${reused.stdout}${reused.stderr}`).toContain('the key id is unknown or already bound to an account');
  }, 150_000);
});
