import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { dnsNameProblem } from '@signet/x509';
import type { ValidationResult } from './challenge-validator';
import { candidateAddresses, firstAnswering, socketFailure } from './connect';
import { urlHost, type CheckedIdentifier } from './names';
import { fail, quote } from './outcome';
import type { ValidationContext } from './context';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface Answer {
  address: string;
  status: number;
  location?: string;
  body?: Buffer;
  /** The body went on past the limit; `body` holds the first maxBodyBytes. */
  truncated?: boolean;
}

/**
 * http-01, RFC 8555 8.3 (and RFC 8738 3 for IP identifiers): GET
 * http://<identifier>:<port>/.well-known/acme-challenge/<token>, following
 * redirects within the limits below; the 200 body, trimmed of whitespace,
 * must be the key authorization.
 */
export async function validateHttp01(id: CheckedIdentifier, token: string, keyAuthorization: string, ctx: ValidationContext): Promise<ValidationResult> {
  if (id.wildcard) throw fail('malformed', 'a wildcard identifier can only be proved with dns-01 (RFC 8555 7.1.3)');
  let url = new URL(`http://${urlHost(id.value)}:${ctx.config.http01Port}/.well-known/acme-challenge/${token}`);
  for (let hops = 0; ; hops++) {
    const host = hostOf(url);
    const addresses = await candidateAddresses(host, ctx.dns, ctx.policy);
    const answer = await firstAnswering(addresses, (a) => get(url, a, ctx));
    const where = `${shown(url)} (${urlHost(answer.address)})`;
    if (REDIRECTS.has(answer.status)) {
      if (hops >= ctx.config.maxRedirects) throw fail('connection', `${where}: too many redirects (at most ${ctx.config.maxRedirects} are followed)`);
      url = redirectTarget(answer.location, url, ctx);
      continue;
    }
    if (answer.status !== 200) throw fail('unauthorized', `${where}: HTTP ${answer.status}, expected 200 with the key authorization`);
    const body = (answer.body ?? Buffer.alloc(0)).toString('utf8');
    if (answer.truncated) {
      throw fail('incorrectResponse', `${where}: the body is longer than ${ctx.config.maxBodyBytes} bytes; it starts with ${quote(body, 64)}`);
    }
    const got = body.trim();
    if (got !== keyAuthorization) throw fail('incorrectResponse', `${where}: the body ${quote(got, 128)} is not the key authorization ${quote(keyAuthorization, 400)}`);
    return { ok: true, addressUsed: answer.address };
  }
}

/** URL.hostname keeps IPv6 brackets; the address policy and DNS want the bare host. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function shown(url: URL): string {
  return quote(url.href, 200).slice(1, -1);
}

/**
 * Where a redirect may lead (RFC 8555 8.3 leaves it to the CA): http or
 * https only, to the standard port of the scheme (80, 443) or the port the
 * validator is configured to use for it (tests), to a host name or an IP
 * address that the address policy then checks like the first one.
 */
function redirectTarget(location: string | undefined, from: URL, ctx: ValidationContext): URL {
  const where = shown(from);
  if (!location) throw fail('connection', `${where}: a redirect without a Location header`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw fail('connection', `${where}: the redirect to ${quote(location, 200)} is not a URL`);
  }
  const to = `the redirect to ${quote(next.href, 200)}`;
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fail('connection', `${where}: ${to} is neither http nor https`);
  const port = next.port === '' ? (next.protocol === 'http:' ? 80 : 443) : Number(next.port);
  const allowed = next.protocol === 'http:' ? [80, ctx.config.http01Port] : [443, ctx.config.tlsAlpn01Port];
  if (!allowed.includes(port)) throw fail('connection', `${where}: ${to} uses port ${port}; only ${[...new Set(allowed)].join(' or ')} are followed for ${next.protocol.slice(0, -1)}`);
  if (next.username || next.password) throw fail('connection', `${where}: ${to} carries credentials`);
  const host = hostOf(next);
  if (isIP(host) === 0) {
    const problem = dnsNameProblem(host);
    if (problem || host.includes('*')) throw fail('connection', `${where}: ${to} has a host name that ${problem ?? 'is a wildcard'}`);
  }
  next.hash = '';
  return next;
}

/** One GET to `address`, the Host (and for https the SNI) taken from the URL; reads at most maxBodyBytes of a 200 body. */
function get(url: URL, address: string, ctx: ValidationContext): Promise<Answer> {
  const what = `GET ${shown(url)} (${urlHost(address)})`;
  const left = ctx.deadline.check('connection', what);
  const tls = url.protocol === 'https:';
  const host = hostOf(url);
  const max = ctx.config.maxBodyBytes;
  return new Promise<Answer>((resolveOnce, rejectOnce) => {
    // Destroying the response to stop reading emits errors of its own; the first outcome counts.
    let settled = false;
    const resolve = (a: Answer) => {
      if (!settled) resolveOnce(a);
      settled = true;
    };
    const failed = (e: unknown) => {
      if (!settled) rejectOnce(socketFailure(e, what, ctx.deadline.totalMs));
      settled = true;
    };
    const options: https.RequestOptions = {
      host: address,
      port: url.port === '' ? (tls ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      setHost: false,
      headers: { Host: url.host, 'User-Agent': 'Signet-ACME-validator', Accept: '*/*', Connection: 'close' },
      agent: false,
      signal: AbortSignal.timeout(left),
      maxHeaderSize: 16_384,
    };
    // A redirect to https: the certificate is not checked (RFC 8555 8.3 proves control of the name over http).
    if (tls) Object.assign(options, { servername: isIP(host) ? undefined : host, rejectUnauthorized: false, minVersion: 'TLSv1.2' });
    const req = (tls ? https : http).request(options, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        const location = typeof res.headers.location === 'string' ? res.headers.location.slice(0, 2_048) : undefined;
        resolve({ address, status, location });
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size > max) {
          resolve({ address, status, body: Buffer.concat(chunks).subarray(0, max), truncated: true });
          res.destroy();
        }
      });
      res.on('end', () => resolve({ address, status, body: Buffer.concat(chunks) }));
      res.on('error', failed);
      res.on('aborted', () => failed(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
    });
    req.on('error', failed);
    req.end();
  });
}
