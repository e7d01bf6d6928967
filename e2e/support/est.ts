import { mutateCsr, type FuzzKeys, type Prng } from '@signet/testing';
import { execFile } from 'node:child_process';

/** A shell pipeline as the docs show it (curl | openssl ...), run asynchronously so the services' logs keep flowing. */
export function sh(script: string, cwd: string, timeoutMs = 120_000): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-o', 'pipefail', '-c', script], { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (e, stdout, stderr) => {
      const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? ((e as { code: number }).code) : -1) : 0;
      resolve({ code, out: stdout, err: stderr });
    });
  });
}

/** curl's `-D headers -o body -w '%{http_code}'` split up: status, lower-cased headers, body. */
export function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  // With a 401 followed by a retry, curl writes several header blocks: the last one counts.
  const blocks = text.trim().split(/\r?\n\r?\n/);
  for (const line of blocks[blocks.length - 1].split(/\r?\n/).slice(1)) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return out;
}

/** The parts of a multipart/mixed body (RFC 2046 5.1): headers (lower-cased) and the body text of each. */
export function multipartParts(body: string, boundary: string): { headers: Record<string, string>; body: string }[] {
  const parts = body.split(`--${boundary}`).slice(1);
  return parts
    .filter((p) => !p.startsWith('--'))
    .map((p) => {
      const [head, ...rest] = p.replace(/^\r\n/, '').split('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n')) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      return { headers, body: rest.join('\r\n\r\n').replace(/\r\n$/, '') };
    });
}

/**
 * One fuzzed EST request (RFC 7030 4.2): a path (labels, operations, junk),
 * an Authorization header (none, broken Basic, another scheme), a
 * Content-Type and Content-Transfer-Encoding, and a body — a mutated CSR in
 * base64 (with or without line breaks), raw DER, broken base64, empty or
 * oversized. None carries a valid credential; a TLS client certificate may
 * make a mutated CSR that still parses a real request.
 */
export function estFuzzCase(prng: Prng, keys: FuzzKeys): { kind: string; path: string; headers: Record<string, string>; body: Buffer } {
  const op = prng.pick(['simpleenroll', 'simplereenroll', 'serverkeygen', 'codesign/simpleenroll', 'client/simplereenroll', 'nosuchlabel/simpleenroll', 'simpleenroll/extra', 'cacerts', 'csrattrs', 'simple%20enroll', 'SIMPLEENROLL']);
  const headers: Record<string, string> = {};
  const auth = prng.int(6);
  if (auth === 1) headers.authorization = `Basic ${prng.bytes(prng.int(40)).toString('base64')}`;
  if (auth === 2) headers.authorization = `Basic ${Buffer.from(`${prng.bytes(6).toString('hex')}:${prng.bytes(8).toString('hex')}`).toString('base64')}`;
  if (auth === 3) headers.authorization = prng.pick(['Basic', 'Basic !!!', 'Bearer x', 'Basic Og==', 'Negotiate abc', 'Basic ' + 'A'.repeat(5000)]);
  const type = prng.pick(['application/pkcs10', 'application/pkcs10', 'application/pkcs10', 'application/pkcs10; charset=utf-8', 'application/octet-stream', 'text/plain', 'application/json', 'multipart/form-data; boundary=x', 'x/y/z', '']);
  if (type) headers['content-type'] = type;
  const cte = prng.int(5);
  if (cte === 1) headers['content-transfer-encoding'] = prng.pick(['base64', 'binary', '7bit', 'gzip', '\u00e9t\u00e9']);
  const csr = mutateCsr(prng, keys);
  const b64 = csr.der.toString('base64');
  let body: Buffer;
  let kind = csr.kind;
  switch (prng.int(8)) {
    case 0:
      body = csr.der;
      kind += ' as DER';
      break;
    case 1:
      body = Buffer.from(`${b64.slice(0, prng.int(b64.length))}!${b64.slice(10)}`);
      kind += ' with a non-base64 character';
      break;
    case 2:
      body = Buffer.alloc(0);
      kind = 'empty body';
      break;
    case 3:
      body = Buffer.from('A'.repeat(prng.pick([70_000, 300_000])));
      kind = 'oversized base64';
      break;
    case 4:
      body = Buffer.from(b64.replace(/(.{64})/g, '$1\r\n'));
      kind += ' with CRLF line breaks';
      break;
    case 5:
      body = Buffer.from(b64.slice(0, prng.int(b64.length)));
      kind += ' truncated';
      break;
    default:
      body = Buffer.from(prng.chance(0.5) ? b64.replace(/(.{64})/g, '$1\n') : b64);
  }
  return { kind: `${op} ${type || '(no type)'} auth#${auth}: ${kind}`, path: op, headers, body };
}
