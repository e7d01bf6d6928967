import type { AddressPolicy } from './address-policy';
import type { ValidationDns } from './dns';
import { fail, ValidationFailure } from './outcome';
import { urlHost } from './names';
import { isIP } from 'node:net';

/**
 * The addresses to try for `host` (a name or an IP literal), each checked
 * against the address policy before any connection. A name with even one
 * forbidden address is refused as a whole: a mix of public and private
 * answers is what a rebinding or probing attempt looks like, and the CA
 * must not pick the harmless half and call the name proven.
 *
 * At most one address per family, IPv6 first (the next only after a
 * connection failure), so one validation opens at most two connections per
 * hop.
 */
export async function candidateAddresses(host: string, dns: ValidationDns, policy: AddressPolicy): Promise<string[]> {
  const addresses = isIP(host) ? [host] : await dns.addresses(host);
  for (const a of addresses) {
    const problem = policy.problem(a);
    if (problem) {
      const via = isIP(host) ? '' : ` (${host} resolves to it)`;
      throw fail('rejectedIdentifier', `${urlHost(a)}${via} is ${problem}; the validator does not connect there`);
    }
  }
  const v6 = addresses.find((a) => isIP(a) === 6);
  const v4 = addresses.find((a) => isIP(a) === 4);
  return [v6, v4].filter((a): a is string => a !== undefined);
}

/** Errors that mean "nothing answered at this address", after which the other family is worth a try. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNRESET', 'EAFNOSUPPORT']);

/**
 * Runs `attempt` against each address in turn until one gets an answer;
 * moves on only when the connection itself failed.
 */
export async function firstAnswering<T>(addresses: string[], attempt: (address: string) => Promise<T>): Promise<T> {
  if (addresses.length === 0) throw fail('dns', 'no address to connect to');
  let last: unknown;
  for (const a of addresses) {
    try {
      return await attempt(a);
    } catch (e) {
      last = e;
      if (!(e instanceof ValidationFailure) || e.type !== 'connection' || !CONNECT_ERRORS.has(e.code ?? '')) throw e;
    }
  }
  throw last;
}

/** A socket or TLS error as a failure of `what`, naming the error code, never the peer's bytes. */
export function socketFailure(e: unknown, what: string, deadlineMs: number): ValidationFailure {
  if (e instanceof ValidationFailure) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || err?.code === 'ABORT_ERR') {
    return fail('connection', `${what}: timed out (the validation may take ${deadlineMs} ms)`, 'ETIMEDOUT');
  }
  const code = typeof err?.code === 'string' ? err.code : 'error';
  if (/^(ERR_SSL_|ERR_TLS_|EPROTO$)/.test(code) || /SSL|TLS/.test(err?.message ?? '')) {
    // OpenSSL's reason ("wrong version number", "no application protocol") is a fixed short string.
    const reason = /:([a-z][a-z0-9 _-]{2,80})(?::|$)/i.exec(err?.message ?? '')?.[1];
    return fail('tls', `${what}: TLS handshake failed (${code}${reason ? `: ${reason}` : ''})`, code);
  }
  if (code.startsWith('HPE_')) return fail('connection', `${what}: not a valid HTTP response (${code})`, code);
  return fail('connection', `${what}: ${code}`, code);
}
