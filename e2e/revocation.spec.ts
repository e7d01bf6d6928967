import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opensslCsr, run, writeTemp, x509Text } from './support/openssl';
import { freePort, waitFor } from './support/processes';
import { Stack } from './support/stack';

// Revocation status with all five services, real NATS and PostgreSQL:
// certificates point at the intermediary (CDP, AIA), revocations go through
// admin-api, CRLs and OCSP answers are judged by openssl and GnuTLS.
const stack = new Stack();
let base: string;
let caPem: string;
let caPath: string;
const tokens = { officer: '', admin: '' };
const bytesDir = mkdtempSync(join(tmpdir(), 'signet-rev-'));
let files = 0;

/** DER bytes to a fresh file (writeTemp takes text). */
function writeBytes(name: string, data: Buffer): string {
  const p = join(bytesDir, `${++files}-${name}`);
  writeFileSync(p, data);
  return p;
}

function revocationEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    SIGNET_CRL_URL: `${base}/crl/${stack.ca}.crl`,
    SIGNET_DELTA_CRL_URL: `${base}/crl/${stack.ca}+.crl`,
    SIGNET_OCSP_URL: `${base}/ocsp/${stack.ca}`,
    SIGNET_CA_ISSUERS_URL: `${base}/ca/${stack.ca}.crt`,
    // A daily base CRL: the first is issued at start.
    SIGNET_CRL_PERIOD_HOURS: '24',
    // Hourly deltas (none due while the test runs), so certificates point at them;
    // CRLs only when the test publishes one (section 5 runs with the defaults).
    SIGNET_DELTA_CRL_PERIOD_MINUTES: '60',
    SIGNET_CRL_ON_REVOKE: 'false',
    ...extra,
  };
}

beforeAll(async () => {
  stack.httpPort = await freePort();
  base = `http://127.0.0.1:${stack.httpPort}`;
  await stack.start(revocationEnv());
  await stack.adminReady();
  tokens.officer = stack.token('officer-rev', ['officer']).token;
  tokens.admin = stack.token('admin-rev', ['ca-admin']).token;
  caPem = (await stack.get(`/api/v1/cas/${stack.ca}/certificate`)).body.certificate;
  caPath = writeTemp('ca.pem', caPem);
}, 180_000);
afterAll(() => stack.close(), 60_000);
afterAll(() => rmSync(bytesDir, { recursive: true, force: true }));

interface Leaf {
  serial: string;
  pem: string;
  path: string;
}

/**
 * A web server certificate. HTTP enrollees are anonymous until the
 * intermediary authenticates them, and the shipped WebServer holds an
 * anonymous request for a certificate manager (ADR 0030): the officer approves it.
 */
async function issue(host: string): Promise<Leaf> {
  const res = await stack.submit({ csr: opensslCsr({ subject: `/CN=${host}`, sans: [`DNS:${host}`] }), attributes: { CertificateTemplate: 'WebServer' } });
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ disposition: 'pending', decidedBy: { rule: 'enroll.anonymous' } });
  const approved = await stack.admin('POST', `/api/v1/requests/${res.body.requestId}/resubmit`, tokens.officer);
  expect(approved.body).toMatchObject({ disposition: 'issued' });
  return { serial: approved.body.serial, pem: approved.body.certificate, path: writeTemp(`${host}.pem`, approved.body.certificate) };
}

async function revoke(leaf: Leaf, reason: string, extra: Record<string, string> = {}): Promise<void> {
  const r = await stack.admin('POST', `/api/v1/certificates/${leaf.serial}/revoke`, tokens.officer, { reason, ...extra });
  expect(r.status).toBe(200);
}

/** ICertAdmin::PublishCRLs through admin-api, as an operator (or `signet crl publish`) does it. */
async function publish(delta = false): Promise<{ crlNumber: number; baseCrlNumber: number | null; entries: number }> {
  const r = await stack.admin('POST', '/api/v1/crls/publish', tokens.admin, { delta });
  expect(r.status).toBe(200);
  return r.body;
}

/** The CRL the intermediary serves, once it is the one with `number`. */
async function served(file: string, number?: number): Promise<{ path: string; text: string }> {
  return waitFor(`CRL ${file}${number ? ` number ${number}` : ''} at the intermediary`, async () => {
    const res = await fetch(`${base}/crl/${file}`);
    if (res.status !== 200) return undefined;
    const path = writeBytes(file.replace('+', '-delta'), Buffer.from(await res.arrayBuffer()));
    const r = run('openssl', ['crl', '-inform', 'DER', '-in', path, '-noout', '-text', '-CAfile', caPath]);
    if (!r.out.includes('verify OK')) throw new Error(r.out);
    const n = Number(/CRL Number:\s*\n\s*(\d+)/.exec(r.out)?.[1]);
    if (number !== undefined && n !== number) return undefined;
    const pemPath = writeTemp(`${file}.pem`, run('openssl', ['crl', '-inform', 'DER', '-in', path]).out);
    return { path: pemPath, text: r.out };
  }, 30_000, 250);
}

const verify = (leaf: Leaf, ...args: string[]) => run('openssl', ['verify', '-CAfile', caPath, ...args, leaf.path]);
const certtool = (leaf: Leaf, crl: string) => run('certtool', ['--verify', '--load-ca-certificate', caPath, '--load-crl', crl, '--infile', leaf.path]);
const ocsp = (leaf: Leaf, ...args: string[]) => run('openssl', ['ocsp', '-issuer', caPath, '-cert', leaf.path, '-url', `${base}/ocsp/${stack.ca}`, '-CAfile', caPath, ...args]);

describe('1. CRLs: base, download from the CDP, revocation', () => {
  let leaf: Leaf;
  let other: Leaf;

  beforeAll(async () => {
    leaf = await issue('revoked.example.com');
    other = await issue('valid.example.com');
  });

  it('issued certificates carry the CDP, freshest CRL and AIA pointing at the intermediary, which serves the CA certificate', async () => {
    const text = x509Text(leaf.pem);
    expect(text).toContain(`URI:${base}/crl/${stack.ca}.crl`);
    expect(text).toMatch(new RegExp(`Freshest CRL:\\s*\\n\\s*Full Name:\\s*\\n\\s*URI:${base.replace(/\./g, '\\.')}/crl/${stack.ca}\\+\\.crl`));
    expect(text).toContain(`OCSP - URI:${base}/ocsp/${stack.ca}`);
    expect(text).toContain(`CA Issuers - URI:${base}/ca/${stack.ca}.crt`);
    const res = await fetch(`${base}/ca/${stack.ca}.crt`);
    expect(res.headers.get('content-type')).toBe('application/pkix-cert');
    const der = Buffer.from(await res.arrayBuffer());
    expect(der.equals(Buffer.from(caPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))).toBe(true);
    const props = await stack.get(`/api/v1/cas/${stack.ca}/properties?names=CRLUrls,OCSPUrls,AIAUrls`);
    expect(props.body.properties).toEqual({ CRLUrls: [`${base}/crl/${stack.ca}.crl`, `${base}/crl/${stack.ca}+.crl`], OCSPUrls: [`${base}/ocsp/${stack.ca}`], AIAUrls: [`${base}/ca/${stack.ca}.crt`] });
  });

  it('the scheduled base CRL is served; openssl -crl_check and certtool say OK', async () => {
    const crl = await served(`${stack.ca}.crl`);
    expect(crl.text).toContain('No Revoked Certificates.');
    const r = verify(leaf, '-crl_check', '-CRLfile', crl.path);
    expect(r.out).toContain(': OK');
    expect(certtool(leaf, crl.path).out).toMatch(/Chain verification output: Verified/);
    const dl = verify(leaf, '-crl_check', '-crl_download');
    expect(dl.out).toContain(': OK');
  });

  it('after revocation and a published CRL: "certificate revoked" from openssl (CRL file and CDP download) and certtool', async () => {
    await revoke(leaf, 'keyCompromise', { invalidityDate: '2026-01-01T00:00:00Z' });
    const { crlNumber, entries } = await publish();
    expect(entries).toBe(1);
    const crl = await served(`${stack.ca}.crl`, crlNumber);
    expect(crl.text).toMatch(/Key Compromise/);
    expect(crl.text).toMatch(/Invalidity Date:\s*\n\s*Jan {2}1 00:00:00 2026 GMT/);
    const r = verify(leaf, '-crl_check', '-CRLfile', crl.path);
    expect(r.out).toContain('certificate revoked');
    expect(r.code).not.toBe(0);
    expect(verify(other, '-crl_check', '-CRLfile', crl.path).out).toContain(': OK');
    const dl = verify(leaf, '-crl_check_all', '-crl_download');
    expect(dl.out).toContain('certificate revoked');
    const g = certtool(leaf, crl.path);
    expect(g.out).toMatch(/revoked/i);
    expect(g.out).not.toMatch(/Chain verification output: Verified/);
  });
});

describe('publishing on demand', () => {
  it('is for CA administrators only: an officer is refused', async () => {
    const r = await stack.admin('POST', '/api/v1/crls/publish', tokens.officer, {});
    expect(r.status).toBe(403);
  });
});

describe('2. delta CRLs', () => {
  let baseNumber: number;
  let held: Leaf;
  let superseded: Leaf;

  beforeAll(async () => {
    held = await issue('held.example.com');
    superseded = await issue('superseded.example.com');
    baseNumber = (await publish()).crlNumber;
  });

  it('a revocation after the base appears in the next delta, which points at the base', async () => {
    await revoke(held, 'certificateHold');
    await revoke(superseded, 'superseded');
    const d = await publish(true);
    // At least these two: a delta also repeats revocations from shortly before its base (a safety overlap).
    expect(d.baseCrlNumber).toBe(baseNumber);
    expect(d.entries).toBeGreaterThanOrEqual(2);
    const delta = await served(`${stack.ca}+.crl`, d.crlNumber);
    expect(delta.text).toMatch(new RegExp(`X509v3 Delta CRL Indicator: critical\\s*\\n\\s*${baseNumber}\\n`));
    expect(delta.text).toMatch(new RegExp(`Serial Number: ${held.serial.toUpperCase()}[\\s\\S]*?Certificate Hold`));
    expect(delta.text).toMatch(new RegExp(`Serial Number: ${superseded.serial.toUpperCase()}[\\s\\S]*?Superseded`));
    const baseCrl = await served(`${stack.ca}.crl`, baseNumber);
    expect(baseCrl.text).toMatch(new RegExp(`Freshest CRL:\\s*\\n\\s*Full Name:\\s*\\n\\s*URI:.*/crl/${stack.ca}\\+\\.crl`));
    expect(verify(superseded, '-crl_check', '-use_deltas', '-CRLfile', baseCrl.path, '-CRLfile', delta.path).out).toContain('certificate revoked');
  });

  it('a release from hold after the base appears as removeFromCRL in the next delta', async () => {
    const newBase = await publish();
    await served(`${stack.ca}.crl`, newBase.crlNumber);
    const r = await stack.admin('POST', `/api/v1/certificates/${held.serial}/release`, tokens.officer);
    expect(r.status).toBe(200);
    const d = await publish(true);
    expect(d.baseCrlNumber).toBe(newBase.crlNumber);
    const delta = await served(`${stack.ca}+.crl`, d.crlNumber);
    expect(delta.text).toMatch(new RegExp(`Serial Number: ${held.serial.toUpperCase()}[\\s\\S]*?Remove From CRL`));
  });
});

describe('3. OCSP', () => {
  let good: Leaf;
  let bad: Leaf;

  beforeAll(async () => {
    good = await issue('ocsp-good.example.com');
    bad = await issue('ocsp-bad.example.com');
  });

  it('good, then revoked with reason and time after revocation; the nonce is echoed', async () => {
    const before = ocsp(bad);
    expect(before.out).toContain('Response verify OK');
    expect(before.out).toMatch(/: good\n/);
    expect(before.out).not.toMatch(/WARNING: no nonce/);
    await revoke(bad, 'keyCompromise');
    const after = ocsp(bad);
    expect(after.out).toContain('Response verify OK');
    expect(after.out).toMatch(/: revoked\n\s*This Update: .*\n\s*Next Update: .*\n\s*Reason: keyCompromise\n\s*Revocation Time: \w+ +\d+ \d\d:\d\d:\d\d \d{4} GMT/);
    expect(ocsp(good).out).toMatch(/: good\n/);
  });

  it('GET gives the same answers, cacheable; a revocation reaches a cached answer at once', async () => {
    const get = async (leaf: Leaf) => {
      const reqPath = writeTemp('get.req', '');
      run('openssl', ['ocsp', '-issuer', caPath, '-cert', leaf.path, '-no_nonce', '-reqout', reqPath]);
      const res = await fetch(`${base}/ocsp/${stack.ca}/${encodeURIComponent(readFileSync(reqPath).toString('base64'))}`);
      expect(res.headers.get('content-type')).toBe('application/ocsp-response');
      const respPath = writeBytes('get.resp', Buffer.from(await res.arrayBuffer()));
      const out = run('openssl', ['ocsp', '-reqin', reqPath, '-respin', respPath, '-issuer', caPath, '-cert', leaf.path, '-CAfile', caPath, '-no_nonce']).out;
      return { out, cacheControl: res.headers.get('cache-control') };
    };
    const first = await get(good);
    expect(first.out).toMatch(/: good\n/);
    expect(first.cacheControl).toMatch(/^max-age=\d+, public, no-transform, must-revalidate$/);
    expect((await get(bad)).out).toMatch(/: revoked\n[\s\S]*Reason: keyCompromise/);
    // The good answer is cached now; revoking must not leave it standing.
    await revoke(good, 'cessationOfOperation');
    await waitFor('the cached good answer to be replaced', async () => /: revoked\n/.test((await get(good)).out), 10_000, 200);
    expect((await get(good)).out).toMatch(/Reason: cessationOfOperation/);
  });

  it('unknown for a serial the CA never issued; malformedRequest for garbage', async () => {
    const unknown = run('openssl', ['ocsp', '-issuer', caPath, '-serial', '0x0badc0ffee', '-url', `${base}/ocsp/${stack.ca}`, '-CAfile', caPath]);
    expect(unknown.out).toMatch(/0x0badc0ffee: unknown/i);
    const res = await fetch(`${base}/ocsp/${stack.ca}`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: 'this is not DER' });
    expect(res.status).toBe(200);
    const der = Buffer.from(await res.arrayBuffer());
    expect(run('openssl', ['ocsp', '-respin', writeBytes('garbage.resp', der), '-resp_text', '-noverify']).out).toMatch(/Responder Error: malformedrequest \(1\)/);
  });
});

describe('4. a delegated OCSP signing certificate', () => {
  it('signs when configured, and verifies through the chain and with -VAfile', async () => {
    await stack.restart('ca-core', revocationEnv({ SIGNET_OCSP_SIGNER: 'delegated', SIGNET_CRL_PERIOD_HOURS: '0' }));
    const leaf = await issue('delegated.example.com');
    const chained = ocsp(leaf, '-resp_text');
    expect(chained.out).toContain('Response verify OK');
    expect(chained.out).toMatch(/: good\n/);
    expect(chained.out).toMatch(/OCSP Signing/);
    expect(chained.out).toMatch(/OCSP No Check/);
    const { rows } = await stack.db.query(`SELECT certificate FROM ocsp_signer WHERE ca_name = $1 ORDER BY created_at DESC LIMIT 1`, [stack.ca]);
    const responder = writeTemp('responder.pem', `-----BEGIN CERTIFICATE-----\n${(rows[0].certificate as Buffer).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`);
    expect(run('openssl', ['verify', '-CAfile', caPath, '-purpose', 'ocsphelper', responder]).out).toContain(': OK');
    const va = run('openssl', ['ocsp', '-issuer', caPath, '-cert', leaf.path, '-url', `${base}/ocsp/${stack.ca}`, '-VAfile', responder]);
    expect(va.out).toContain('Response verify OK');
    expect(va.out).toMatch(/: good\n/);
  });
});

describe('5. the defaults, as npm start and docker-compose run it (every URL set, no delta schedule)', () => {
  let leaf: Leaf;

  beforeAll(async () => {
    await stack.restart('ca-core', revocationEnv({ SIGNET_DELTA_CRL_PERIOD_MINUTES: undefined, SIGNET_CRL_ON_REVOKE: undefined }));
    leaf = await issue('defaults.example.com');
  });

  it('certificates point at the base CRL only: no Freshest CRL while no delta CRLs are issued', async () => {
    const text = x509Text(leaf.pem);
    expect(text).toContain(`URI:${base}/crl/${stack.ca}.crl`);
    expect(text).not.toMatch(/Freshest CRL/);
    expect(text).not.toContain(`${stack.ca}+.crl`);
    const props = await stack.get(`/api/v1/cas/${stack.ca}/properties?names=CRLUrls`);
    expect(props.body.properties).toEqual({ CRLUrls: [`${base}/crl/${stack.ca}.crl`] });
  });

  it('a revocation is on the served base CRL without anyone publishing one; that CRL names no delta', async () => {
    await revoke(leaf, 'affiliationChanged');
    const crl = await waitFor('a served base CRL listing the revocation', async () => {
      const c = await served(`${stack.ca}.crl`);
      return c.text.includes(`Serial Number: ${leaf.serial.toUpperCase()}`) ? c : undefined;
    }, 30_000, 250);
    expect(crl.text).toMatch(new RegExp(`Serial Number: ${leaf.serial.toUpperCase()}[\\s\\S]*?Affiliation Changed`));
    expect(crl.text).not.toMatch(/Freshest CRL/);
    expect(verify(leaf, '-crl_check', '-CRLfile', crl.path).out).toContain('certificate revoked');
  });
});
