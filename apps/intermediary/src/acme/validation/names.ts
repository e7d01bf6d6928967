import { dnsNameProblem, ipToBytes } from '@signet/x509';
import { isIP } from 'node:net';
import type { ValidationInput } from './challenge-validator';
import { fail } from './outcome';

/*
 * The identifier and token as the validator uses them, checked before
 * anything goes on the network: they end up in a URL, a DNS query and a TLS
 * SNI, so a value outside the syntax RFC 8555 allows is refused, not escaped.
 */

/** RFC 8555 8.1: a token is base64url; its length is bounded so a URL and a detail stay short. */
const TOKEN = /^[A-Za-z0-9_-]{16,256}$/;
/** token "." base64url(JWK thumbprint). */
const KEY_AUTHORIZATION = /^[A-Za-z0-9_-]{16,256}\.[A-Za-z0-9_-]{43,128}$/;

export interface CheckedIdentifier {
  type: 'dns' | 'ip';
  /** A lower-case DNS name (with "*." for a wildcard), or an IP address as given. */
  value: string;
  wildcard: boolean;
}

export function checkInput(input: ValidationInput): CheckedIdentifier {
  if (typeof input.token !== 'string' || !TOKEN.test(input.token)) throw fail('malformed', 'the challenge token is not base64url of 16 to 256 characters');
  if (typeof input.keyAuthorization !== 'string' || !KEY_AUTHORIZATION.test(input.keyAuthorization) || !input.keyAuthorization.startsWith(`${input.token}.`)) {
    throw fail('malformed', 'the key authorization is not "<token>.<thumbprint>" for this token');
  }
  const { type, value } = input.identifier ?? {};
  if (typeof value !== 'string') throw fail('malformed', 'the identifier has no value');
  if (type === 'ip') {
    if (isIP(value) === 0 || value.includes('%')) throw fail('malformed', `the ip identifier ${JSON.stringify(value.slice(0, 64))} is not an IP address`);
    return { type, value, wildcard: false };
  }
  if (type !== 'dns') throw fail('malformed', 'the identifier type must be dns or ip');
  const name = value.toLowerCase();
  const problem = dnsNameProblem(name);
  if (problem) throw fail('malformed', `the dns identifier ${problem}`);
  if (isIP(name) !== 0) throw fail('malformed', 'a dns identifier must not be an IP address');
  return { type, value: name, wildcard: name.startsWith('*.') };
}

/**
 * RFC 8738 6: the reverse-mapping name of an IP address, as tls-alpn-01
 * sends it in SNI: "4.3.2.1.in-addr.arpa" for 1.2.3.4, the 32 nibbles in
 * reverse followed by "ip6.arpa" for IPv6.
 */
export function reverseName(address: string): string {
  const bytes = ipToBytes(address);
  if (bytes.length === 4) return `${[...bytes].reverse().join('.')}.in-addr.arpa`;
  const nibbles = bytes.toString('hex').split('').reverse();
  return `${nibbles.join('.')}.ip6.arpa`;
}

/** How a host appears in a URL authority: IPv6 in brackets. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
