import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fuzzCases, fuzzKeys, fuzzSeed, Prng } from '@signet/testing';
import { officerDecides, signetCli } from './support/cli';
import { estFuzzCase, multipartParts, parseHeaders, sh } from './support/est';
import { fuzzClient, runFuzz, type FuzzAnswer } from './support/protocol-fuzz';
import { waitFor } from './support/processes';
import { Stack } from './support/stack';

// EST (RFC 7030, RFC 8951; ADR 0039) with all five services, real NATS and
// PostgreSQL, the shipped policy, and the clients devices use, unmodified:
// curl + openssl and strongSwan's pki. The commands are the ones
// docs/ENROLLMENT.md shows. Every certificate is checked with
// `openssl verify -x509_strict` and `certtool --verify`.
const stack = new Stack();
/** Fuzzed requests sent over HTTPS (SIGNET_FUZZ_CASES for a longer run: npm run fuzz). */
const FUZZ_CASES = fuzzCases(3000);
const dir = mkdtempSync(join(tmpdir(), 'signet-est-'));
const file = (name: string) => join(dir, name);
let officer: string;
let est: string;

beforeAll(async () => {
  await stack.start({
    SIGNET_TLS_MODE: 'self-issued',
    SIGNET_EST_LABELS: 'default=WebServer,client=ClientAuth,codesign=CodeSigning',
    SIGNET_EST_RETRY_AFTER_SECONDS: '2',
  });
  await stack.adminReady();
  officer = stack.token('officer-est', ['officer']).token;
  const ca = await fetch(`${stack.baseUrl}/ca/${stack.ca}.crt?format=pem`);
  writeFileSync(file('ca.pem'), await ca.text());
  est = `${stack.httpsUrl}/.well-known/est`;
}, 180_000);
afterAll(() => stack.close(), 60_000);

/** An enrollment secret from the CLI, as an officer hands it out. */
async function secret(name: string, template = 'WebServer'): Promise<string> {
  const r = await signetCli(stack, ['enrollment-secret', 'create', '--name', name, '--template', template, '--ttl', '1h'], officer);
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

/** curl with the CA as its only trust anchor; status, headers and body file. */
async function curl(args: string, out = 'body'): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const r = await sh(`curl -sS --cacert ca.pem -D ${out}.h -o ${out} -w '%{http_code}' ${args}`, dir);
  expect(r.err).toBe('');
  return { status: Number(r.out), headers: parseHeaders(readFileSync(file(`${out}.h`), 'utf8')), body: readFileSync(file(out), 'utf8') };
}

/** Both independent verifiers accept `pem` as issued by the CA. */
async function verified(pem: string, purpose: string): Promise<X509Certificate> {
  writeFileSync(file('check.pem'), pem);
  const o = await sh(`openssl verify -x509_strict -purpose ${purpose} -CAfile ca.pem check.pem`, dir);
  expect(o.out.trim()).toBe('check.pem: OK');
  const g = await sh('certtool --verify --load-ca-certificate ca.pem --infile check.pem', dir);
  expect(g.out).toContain('Chain verification output: Verified.');
  return new X509Certificate(pem);
}

/** A CSR as a device makes it with openssl: key `<name>.key`, base64 DER with line breaks in `<name>.b64`. */
async function csr(name: string, subject: string, san?: string): Promise<void> {
  const ext = san ? `-addext 'subjectAltName=${san}'` : '';
  const r = await sh(`openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${name}.key -subj '${subject}' ${ext} -outform DER -out ${name}.der && openssl base64 -in ${name}.der -out ${name}.b64`, dir);
  expect(r.code).toBe(0);
}

async function inProcess(): Promise<number> {
  return Number((await stack.db.query(`SELECT count(*)::int AS n FROM request WHERE disposition = 'in_process'`)).rows[0].n);
}

describe('EST with curl + openssl', () => {
  it('cacerts: one line of base64 certs-only PKCS#7 that openssl reads as the CA certificate', async () => {
    const r = await curl(`${est}/cacerts`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/pkcs7-mime; smime-type=certs-only');
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body)));
    expect(r.body).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const certs = await sh(`openssl base64 -d -A -in body | openssl pkcs7 -inform DER -print_certs -out cacerts.pem`, dir);
    expect(certs.code).toBe(0);
    expect(new X509Certificate(readFileSync(file('cacerts.pem'))).fingerprint256).toBe(new X509Certificate(readFileSync(file('ca.pem'))).fingerprint256);
  });

  it('is served over HTTPS only: plain http answers 404; so does an unknown label, and a mapped one serves', async () => {
    const r = await fetch(`${stack.baseUrl}/.well-known/est/cacerts`);
    expect(r.status).toBe(404);
    expect((await curl(`${est}/nosuchlabel/cacerts`)).status).toBe(404);
    expect((await curl(`${est}/codesign/cacerts`)).status).toBe(200);
  });

  it('csrattrs: asks for the channel binding (challengePassword)', async () => {
    const r = await curl(`${est}/csrattrs`);
    expect([r.status, r.headers['content-type']]).toEqual([200, 'application/csrattrs']);
    const text = await sh(`openssl base64 -d -A -in body | openssl asn1parse -inform DER`, dir);
    expect(text.out).toContain(':challengePassword');
  });

  it('simpleenroll without credentials: 401 with the Basic challenge, nothing stored', async () => {
    await csr('anon', '/CN=www.example.com', 'DNS:www.example.com');
    const before = await stack.count('request');
    const r = await curl(`-H 'Content-Type: application/pkcs10' --data-binary @anon.b64 ${est}/simpleenroll`);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toContain('Basic realm="signet"');
    expect(await stack.count('request')).toBe(before);
  });

  let leaf: X509Certificate;
  it('simpleenroll with an enrollment secret (HTTP Basic): the certificate, verified by openssl and certtool', async () => {
    const credential = await secret('www.example.com');
    await csr('www', '/CN=www.example.com', 'DNS:www.example.com');
    const r = await curl(`--user '${credential}' -H 'Content-Type: application/pkcs10' --data-binary @www.b64 ${est}/simpleenroll`);
    expect([r.status, r.headers['content-type']]).toEqual([200, 'application/pkcs7-mime; smime-type=certs-only']);
    expect(r.body).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect((await sh(`openssl base64 -d -A -in body | openssl pkcs7 -inform DER -print_certs -out www.pem`, dir)).code).toBe(0);
    leaf = await verified(readFileSync(file('www.pem'), 'utf8'), 'sslserver');
    expect(leaf.subjectAltName).toBe('DNS:www.example.com');
    // The one-time secret is spent: a second enrollment with it is refused.
    await csr('www-again', '/CN=www.example.com', 'DNS:www.example.com');
    expect((await curl(`--user '${credential}' -H 'Content-Type: application/pkcs10' --data-binary @www-again.b64 ${est}/simpleenroll`)).status).toBe(401);
  });

  it('simplereenroll with the issued certificate as the TLS client certificate: a new certificate for the same names', async () => {
    await csr('renew', '/CN=www.example.com', 'DNS:www.example.com');
    const r = await curl(`--cert www.pem --key www.key -H 'Content-Type: application/pkcs10' --data-binary @renew.b64 ${est}/simplereenroll`);
    expect(r.status).toBe(200);
    expect((await sh(`openssl base64 -d -A -in body | openssl pkcs7 -inform DER -print_certs -out renewed.pem`, dir)).code).toBe(0);
    const renewed = await verified(readFileSync(file('renewed.pem'), 'utf8'), 'sslserver');
    expect(renewed.subjectAltName).toBe('DNS:www.example.com');
    expect(renewed.serialNumber).not.toBe(leaf.serialNumber);
    expect(renewed.publicKey.export({ type: 'spki', format: 'der' }).equals(leaf.publicKey.export({ type: 'spki', format: 'der' }))).toBe(false);
    const row = await stack.db.query(`SELECT r.requester_name FROM request r JOIN certificate c ON c.request_id = r.id WHERE c.serial = $1`, [renewed.serialNumber.toLowerCase()]);
    expect(row.rows).toEqual([{ requester_name: `tls-client-certificate:${stack.ca}/${leaf.serialNumber.toLowerCase()}` }]);
  });

  it('simplereenroll refuses another subject or name (RFC 7030 §4.2.2), and a request without the client certificate', async () => {
    const before = await stack.count('request');
    await csr('other', '/CN=www.example.com', 'DNS:other.example.com');
    const r = await curl(`--cert www.pem --key www.key -H 'Content-Type: application/pkcs10' --data-binary @other.b64 ${est}/simplereenroll`);
    expect(r.status).toBe(403);
    expect(r.body).toContain("subjectAltName is not the certificate's");
    expect((await curl(`-H 'Content-Type: application/pkcs10' --data-binary @renew.b64 ${est}/simplereenroll`)).status).toBe(401);
    expect(await stack.count('request')).toBe(before);
  });

  it('serverkeygen: multipart/mixed with the PKCS#8 key and the certificate for it; the key is in no log', async () => {
    const credential = await secret('keygen.example.com');
    await csr('keygen', '/CN=keygen.example.com', 'DNS:keygen.example.com');
    const r = await curl(`--user '${credential}' -H 'Content-Type: application/pkcs10' --data-binary @keygen.b64 ${est}/serverkeygen`);
    expect(r.status).toBe(200);
    const boundary = /^multipart\/mixed; boundary=(\S+)$/.exec(r.headers['content-type'])?.[1];
    expect(boundary).toBeDefined();
    const parts = multipartParts(r.body, boundary!);
    expect(parts.map((p) => p.headers['content-type'])).toEqual(['application/pkcs8', 'application/pkcs7-mime; smime-type=certs-only']);
    writeFileSync(file('sk.key.b64'), parts[0].body);
    writeFileSync(file('sk.p7.b64'), parts[1].body);
    expect((await sh(`openssl base64 -d -A -in sk.key.b64 | openssl pkey -inform DER -out sk.key`, dir)).code).toBe(0);
    expect((await sh(`openssl base64 -d -A -in sk.p7.b64 | openssl pkcs7 -inform DER -print_certs -out sk.pem`, dir)).code).toBe(0);
    const cert = await verified(readFileSync(file('sk.pem'), 'utf8'), 'sslserver');
    expect(cert.subjectAltName).toBe('DNS:keygen.example.com');
    const keyPub = await sh(`openssl pkey -in sk.key -pubout`, dir);
    expect(keyPub.out).toBe(cert.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    // Not the client's key: the server made this one.
    const clientPub = await sh(`openssl pkey -in keygen.key -pubout`, dir);
    expect(clientPub.out).not.toBe(keyPub.out);
    const keyB64 = parts[0].body.slice(20, 80);
    for (const s of stack.services.values()) expect(s.log()).not.toContain(keyB64);
  });

  it('pending (§4.2.3): 202 with Retry-After; after an officer approves, the same request again gets the certificate', async () => {
    await csr('sign', '/CN=Signet Signing/O=Example');
    const first = await curl(`--cert www.pem --key www.key -H 'Content-Type: application/pkcs10' --data-binary @sign.b64 ${est}/codesign/simpleenroll`);
    expect([first.status, first.headers['retry-after']]).toEqual([202, '2']);
    const id = Number(/request (\d+)/.exec(first.body)?.[1]);
    expect(id).toBeGreaterThan(0);
    // Retried before the decision: still pending, and no second request.
    const again = await curl(`--cert www.pem --key www.key -H 'Content-Type: application/pkcs10' --data-binary @sign.b64 ${est}/codesign/simpleenroll`);
    expect(again.status).toBe(202);
    expect(again.body).toContain(`request ${id} `);
    const approved = await officerDecides(stack, officer, 'resubmit', id);
    expect({ code: approved.code, disposition: approved.json?.disposition }).toEqual({ code: 0, disposition: 'issued' });
    const done = await curl(`--cert www.pem --key www.key -H 'Content-Type: application/pkcs10' --data-binary @sign.b64 ${est}/codesign/simpleenroll`);
    expect(done.status).toBe(200);
    expect((await sh(`openssl base64 -d -A -in body | openssl pkcs7 -inform DER -print_certs -out sign.pem`, dir)).code).toBe(0);
    const cert = await verified(readFileSync(file('sign.pem'), 'utf8'), 'any');
    expect(cert.subject).toBe('CN=Signet Signing\nO=Example');
  });

  it('pending with an enrollment secret: the retry with the secret its first attempt spent gets the certificate once approved', async () => {
    const credential = await secret('pend.example.com');
    // A name the secret does not prove: WebServer lets a certificate manager decide (unproven: pend).
    await csr('pend', '/CN=pend.example.com', 'DNS:pend.example.com,DNS:unproven.example.com');
    const send = () => curl(`--user '${credential}' -H 'Content-Type: application/pkcs10' --data-binary @pend.b64 ${est}/simpleenroll`);
    const first = await send();
    expect([first.status, first.headers['retry-after']]).toEqual([202, '2']);
    const id = Number(/request (\d+)/.exec(first.body)?.[1]);
    expect((await send()).status).toBe(202);
    // The spent secret holds for that request only: another request with it is refused.
    await csr('pend-other', '/CN=pend.example.com', 'DNS:pend.example.com');
    expect((await curl(`--user '${credential}' -H 'Content-Type: application/pkcs10' --data-binary @pend-other.b64 ${est}/simpleenroll`)).status).toBe(401);
    const approved = await officerDecides(stack, officer, 'resubmit', id);
    expect({ code: approved.code, disposition: approved.json?.disposition }).toEqual({ code: 0, disposition: 'issued' });
    const done = await send();
    expect(done.status).toBe(200);
    expect((await sh(`openssl base64 -d -A -in body | openssl pkcs7 -inform DER -print_certs -out pend.pem`, dir)).code).toBe(0);
    const cert = await verified(readFileSync(file('pend.pem'), 'utf8'), 'sslserver');
    expect(cert.subjectAltName).toBe('DNS:pend.example.com, DNS:unproven.example.com');
    expect(await stack.db.query(`SELECT count(*)::int AS n FROM request WHERE requester_name = $1`, [`enrollment-secret:${credential.split(':')[0]}`])).toMatchObject({ rows: [{ n: 1 }] });
  });

  it('a denial is an error status with text naming the reason', async () => {
    // A secret bound to WebServer is good for WebServer only (rule enroll.template).
    const credential = await secret('deny.example.com');
    await csr('deny', '/CN=Deny/O=Example');
    const r = await curl(`--user '${credential}' -H 'Content-Type: application/pkcs10' --data-binary @deny.b64 ${est}/codesign/simpleenroll`);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.body).toMatch(/^REQUEST_DENIED: request \d+ was denied: .*WebServer/);
  });

  it('bad input gets a clean 4xx and leaves nothing in process', async () => {
    const credential = await secret('bad.example.com');
    await csr('bad', '/CN=bad.example.com', 'DNS:bad.example.com');
    const before = await stack.count('request');
    writeFileSync(file('junk.b64'), 'this is not base64!!\n');
    writeFileSync(file('notcsr.b64'), Buffer.from('300602010102010a', 'hex').toString('base64'));
    writeFileSync(file('big.b64'), 'A'.repeat(70_000));
    const cases: [string, number][] = [
      [`-H 'Content-Type: application/pkcs10' --data-binary @junk.b64`, 400],
      [`-H 'Content-Type: application/pkcs10' --data-binary @notcsr.b64`, 400],
      [`-H 'Content-Type: text/plain' --data-binary @bad.b64`, 415],
      [`-H 'Content-Type: application/json' --data-binary '{}'`, 415],
      [`--data-binary @bad.b64`, 415],
      [`-H 'Content-Type: application/pkcs10' --data-binary @big.b64`, 413],
    ];
    for (const [args, status] of cases) {
      const r = await curl(`--user '${credential}' ${args} ${est}/simpleenroll`);
      expect([args, r.status]).toEqual([args, status]);
    }
    const wrong = await curl(`--user '${credential.split(':')[0]}:${'0'.repeat(64)}' -H 'Content-Type: application/pkcs10' --data-binary @bad.b64 ${est}/simpleenroll`);
    expect(wrong.status).toBe(401);
    expect((await curl(`--user '${credential}' -H 'Content-Type: application/pkcs10' --data-binary @bad.b64 ${est}/nosuchlabel/simpleenroll`)).status).toBe(404);
    expect(await stack.count('request')).toBe(before);
    expect(await inProcess()).toBe(0);
    // The secret was never spent by the refusals: it still enrolls.
    const ok = await curl(`--user '${credential}' -H 'Content-Type: application/pkcs10' --data-binary @bad.b64 ${est}/simpleenroll`);
    expect(ok.status).toBe(200);
  });
});

/**
 * One EST POST on a TLS connection of the given version, with a CSR made by
 * openssl after the handshake, its challengePassword set to `binding` of
 * this very session (RFC 7030 §3.5) or, for the refusal, another value.
 */
async function boundEnroll(version: 'TLSv1.2' | 'TLSv1.3', credential: string, name: string, wrong = false): Promise<{ status: number; text: string }> {
  const socket = connect({ host: '127.0.0.1', port: stack.httpsPort, ca: readFileSync(file('ca.pem')), servername: 'localhost', minVersion: version, maxVersion: version });
  await once(socket, 'secureConnect');
  expect(socket.getProtocol()).toBe(version);
  // TLS 1.2: tls-unique, the client's Finished of a full handshake; TLS 1.3: tls-exporter (RFC 9266).
  const value = version === 'TLSv1.2' ? socket.getFinished()! : socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
  const password = wrong ? Buffer.alloc(value.length, 7).toString('base64') : value.toString('base64');
  writeFileSync(file(`${name}.cnf`), `[req]\nprompt=no\ndistinguished_name=dn\nattributes=attrs\nreq_extensions=ext\n[dn]\nCN=${name}.example.com\n[attrs]\nchallengePassword=${password}\n[ext]\nsubjectAltName=DNS:${name}.example.com\n`);
  const made = await sh(`openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${name}.key -config ${name}.cnf -outform DER | openssl base64 -A`, dir);
  expect(made.code).toBe(0);
  const body = made.out.trim();
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write(
    `POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic ${Buffer.from(credential).toString('base64')}\r\n` +
      `Content-Type: application/pkcs10\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
  await once(socket, 'end');
  const text = Buffer.concat(chunks).toString('utf8');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), text };
}

/**
 * Acceptance 4 of issue 14: malformed envelopes, CSRs and headers get a
 * clean EST error — a 4xx with `CODE: message` as text/plain (RFC 7030
 * 4.2.3), never a 5xx or a dropped connection — and leave nothing in
 * process. Self-contained (its own client certificate), so `npm run fuzz`
 * runs it alone with `-t fuzz`.
 */
describe('EST fuzz over HTTPS', () => {
  const prng = new Prng(fuzzSeed(0x7031));
  const keys = fuzzKeys(prng);

  /** What is wrong with an answer, if anything. */
  function problem(a: FuzzAnswer): string | undefined {
    const type = String(a.headers['content-type'] ?? '');
    if (a.status === 0 || a.status >= 500) return `status ${a.status}: ${a.body.toString().slice(0, 200)}`;
    if (a.status === 202) return a.headers['retry-after'] ? undefined : '202 without Retry-After';
    if (a.status < 300) return /^(application\/pkcs7-mime; smime-type=certs-only|multipart\/mixed; boundary=|application\/csrattrs)/.test(type) ? undefined : `${a.status} as ${type}`;
    if (!type.startsWith('text/plain') || !/^[A-Z_]+: /.test(a.body.toString())) return `${a.status} as ${type}: ${a.body.toString().slice(0, 200)}`;
    return undefined;
  }

  it(`${FUZZ_CASES} fuzzed requests (headers, labels, envelopes, CSRs), with and without a client certificate: each a clean EST answer, nothing left in process (seed ${prng.seed})`, async () => {
    const credential = await secret('fuzz.example.com');
    await csr('fuzz', '/CN=fuzz.example.com', 'DNS:fuzz.example.com');
    const enrolled = await curl(`--user '${credential}' -H 'Content-Type: application/pkcs10' --data-binary @fuzz.b64 ${est}/simpleenroll`);
    expect(enrolled.status).toBe(200);
    expect((await sh(`openssl base64 -d -A -in body | openssl pkcs7 -inform DER -print_certs -out fuzz.pem`, dir)).code).toBe(0);
    const ca = readFileSync(file('ca.pem'));
    const anonymous = fuzzClient(stack.httpsUrl, { ca });
    const withCert = fuzzClient(stack.httpsUrl, { ca, cert: readFileSync(file('fuzz.pem')), key: readFileSync(file('fuzz.key')) });
    const before = Date.now();
    try {
      const { problems, statuses } = await runFuzz(
        FUZZ_CASES,
        8,
        () => ({ ...estFuzzCase(prng, keys), client: prng.chance(0.5) ? withCert : anonymous }),
        async (c) => {
          const a = await c.client.send({ method: 'POST', path: `/.well-known/est/${c.path}`, headers: c.headers, body: c.body });
          const p = problem(a);
          return { status: a.status, ...(p ? { problem: `${c.kind}: ${p}` } : {}) };
        },
      );
      expect(problems).toEqual([]);
      expect({ refused: (statuses[400] ?? 0) > 0, unauthorized: (statuses[401] ?? 0) > 0 }).toEqual({ refused: true, unauthorized: true });
    } finally {
      anonymous.close();
      withCert.close();
    }
    expect(await inProcess()).toBe(0);
    expect(stack.service('intermediary').running).toBe(true);
    console.log(`EST fuzz: ${FUZZ_CASES} requests in ${Date.now() - before} ms`);
    // npm run fuzz: SIGNET_FUZZ_CASES up to 100,000 and more; about 100 a second on this kind of machine, with room.
  }, Math.max(300_000, FUZZ_CASES * 50));
});

describe('EST channel binding (RFC 7030 §3.5)', () => {
  it("TLS 1.2: a CSR carrying this session's tls-unique is issued; one made for another session is 401 and spends nothing", async () => {
    const credential = await secret('bound12.example.com');
    const before = await stack.count('request');
    const refused = await boundEnroll('TLSv1.2', credential, 'bound12', true);
    expect(refused.status).toBe(401);
    expect(refused.text).toContain("challengePassword is not this TLS session's tls-unique");
    expect(await stack.count('request')).toBe(before);
    const ok = await boundEnroll('TLSv1.2', credential, 'bound12');
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/\r\nContent-Type: application\/pkcs7-mime; smime-type=certs-only\r\n/i);
  });

  it('TLS 1.3: tls-unique is undefined there; the CSR carries tls-exporter (RFC 9266) instead', async () => {
    const credential = await secret('bound13.example.com');
    expect((await boundEnroll('TLSv1.3', credential, 'bound13', true)).status).toBe(401);
    expect((await boundEnroll('TLSv1.3', credential, 'bound13')).status).toBe(200);
  });
});

describe('EST with strongSwan pki', () => {
  /** `pki --est` polling (--interval) for a request of `name` that pends for an officer; resolves with the running pki and the pending request's id. */
  async function pollingPki(name: string): Promise<{ polling: ReturnType<typeof sh>; id: string }> {
    const credential = await secret(`${name}.example.com`);
    const made = await sh(`pki --gen --type ecdsa --size 256 --outform pem > ${name}.key && pki --req --in ${name}.key --type priv --dn 'CN=${name}.example.com' --san ${name}.example.com --san unproven-${name}.example.com --outform pem > ${name}.csr`, dir);
    expect(made.code).toBe(0);
    const polling = sh(`pki --est --url ${stack.httpsUrl} --cacert ca.pem --in ${name}.csr --userpass '${credential}' --interval 1 --maxpolltime 90 --outform pem > ${name}.pem`, dir);
    const requester = `enrollment-secret:${credential.split(':')[0]}`;
    const id = await waitFor(
      'the pending request',
      async () => (await stack.db.query(`SELECT id FROM request WHERE requester_name = $1 AND disposition = 'pending'`, [requester])).rows[0]?.id as string | undefined,
      30_000,
      250,
    );
    return { polling, id };
  }

  it('pki --estca fetches the CA certificate', async () => {
    const r = await sh(`pki --estca --url ${stack.httpsUrl} --cacert ca.pem --caout ss-ca.pem --outform pem --force`, dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain('Root CA cert is trusted');
    const got = new X509Certificate(readFileSync(file('ss-ca.pem')));
    expect(got.fingerprint256).toBe(new X509Certificate(readFileSync(file('ca.pem'))).fingerprint256);
  });

  it('pki --est polls a pending request (--interval) and receives the certificate once an officer approves it', async () => {
    const { polling, id } = await pollingPki('poll');
    const approved = await officerDecides(stack, officer, 'resubmit', id);
    expect({ code: approved.code, disposition: approved.json?.disposition }).toEqual({ code: 0, disposition: 'issued' });
    const r = await polling;
    expect(r.code).toBe(0);
    expect(r.err).toContain('Issued certificate is trusted');
    const cert = await verified(readFileSync(file('poll.pem'), 'utf8'), 'sslserver');
    expect(cert.subjectAltName).toBe('DNS:poll.example.com, DNS:unproven-poll.example.com');
  });

  it("pki --est polls a pending request; an officer's `signet deny` reaches it as a failure, and nothing is issued", async () => {
    const { polling, id } = await pollingPki('denied');
    const denied = await officerDecides(stack, officer, 'deny', id);
    expect({ code: denied.code, disposition: denied.json?.disposition }).toEqual({ code: 0, disposition: 'denied' });
    const r = await polling;
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('400');
    expect(readFileSync(file('denied.pem'), 'utf8')).toBe('');
    expect(await stack.db.query(`SELECT disposition FROM request WHERE id = $1`, [id])).toMatchObject({ rows: [{ disposition: 'denied' }] });
  });

  it('pki --est enrolls with an enrollment secret, and renews with the certificate it got', async () => {
    const credential = await secret('vpn.example.com');
    const key = await sh(`pki --gen --type ecdsa --size 256 --outform pem > vpn.key && pki --req --in vpn.key --type priv --dn 'CN=vpn.example.com' --san vpn.example.com --outform pem > vpn.csr`, dir);
    expect(key.code).toBe(0);
    const r = await sh(`pki --est --url ${stack.httpsUrl} --cacert ca.pem --in vpn.csr --userpass '${credential}' --outform pem > vpn.pem`, dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain('Issued certificate is trusted');
    const cert = await verified(readFileSync(file('vpn.pem'), 'utf8'), 'sslserver');
    expect(cert.subjectAltName).toBe('DNS:vpn.example.com');

    const renew = await sh(
      `pki --gen --type ecdsa --size 256 --outform pem > vpn2.key && pki --req --in vpn2.key --type priv --dn 'CN=vpn.example.com' --san vpn.example.com --outform pem > vpn2.csr && ` +
        `pki --est --url ${stack.httpsUrl} --cacert ca.pem --in vpn2.csr --cert vpn.pem --key vpn.key --outform pem > vpn2.pem`,
      dir,
    );
    expect(renew.code).toBe(0);
    expect(renew.err).toContain('Issued certificate is trusted');
    const renewed = await verified(readFileSync(file('vpn2.pem'), 'utf8'), 'sslserver');
    expect(renewed.serialNumber).not.toBe(cert.serialNumber);
  });
});
