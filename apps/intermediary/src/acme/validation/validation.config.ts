import { ConfigError, envBoolean, envInt, loadEnv } from '@signet/config';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseAddressRange, type AddressRange } from './address-policy';

/*
 * The ACME challenge validator's settings (ADR 0036), validated at boot: a
 * bad value stops the intermediary with a message naming the variable.
 */

export const AcmeValidationEnvSchema = z.object({
  /** The port http-01 connects to (RFC 8555 8.3: 80; another only for tests). */
  SIGNET_ACME_HTTP01_PORT: envInt(80, 1, 65_535),
  /** The port tls-alpn-01 connects to (RFC 8737 3: 443; another only for tests). */
  SIGNET_ACME_TLSALPN01_PORT: envInt(443, 1, 65_535),
  /** DNS servers to ask, `host[:port]` (IP addresses, IPv6 in brackets with a port), comma-separated; empty: the system's. */
  SIGNET_ACME_DNS_RESOLVERS: z.string().default(''),
  /** The whole of one validation: every lookup, connection, redirect and read. */
  SIGNET_ACME_VALIDATION_TIMEOUT_MS: envInt(10_000, 100, 120_000),
  /** http-01 redirects followed at most. */
  SIGNET_ACME_HTTP01_MAX_REDIRECTS: envInt(10, 0, 20),
  /** Largest http-01 response body read; a key authorization is ~90 bytes. */
  SIGNET_ACME_HTTP01_MAX_BODY_BYTES: envInt(8_192, 128, 65_536),
  /** Validate against loopback, private, link-local and other special-purpose addresses (tests and labs only). */
  SIGNET_ACME_ALLOW_PRIVATE_ADDRESSES: envBoolean(false),
  /** Special-purpose ranges validated against nonetheless, CIDR, comma-separated (an internal CA's own network). */
  SIGNET_ACME_ALLOWED_ADDRESSES: z.string().default(''),
});

/** A DNS server the validator asks: an IP address and a port. */
export interface DnsServer {
  address: string;
  port: number;
}

export interface AcmeValidationConfig {
  http01Port: number;
  tlsAlpn01Port: number;
  /** Empty: the system resolver's servers (/etc/resolv.conf). */
  dnsResolvers: DnsServer[];
  timeoutMs: number;
  maxRedirects: number;
  maxBodyBytes: number;
  allowPrivateAddresses: boolean;
  allowedAddresses: AddressRange[];
}

/** `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]:5353`; undefined when it is none of these. */
export function parseDnsServer(text: string): DnsServer | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const v4 = /^([\d.]+)(?::(\d{1,5}))?$/.exec(text);
  let address: string;
  let port: string | undefined;
  if (bracketed) [, address, port] = bracketed;
  else if (v4) [, address, port] = v4;
  else [address, port] = [text, undefined];
  const family = isIP(address);
  if (family === 0 || (family === 4 && bracketed)) return undefined;
  const n = port === undefined ? 53 : Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) return undefined;
  return { address, port: n };
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Reads and validates the validator's variables; throws ConfigError naming every bad one. */
export function loadAcmeValidationConfig(env: NodeJS.ProcessEnv = process.env): AcmeValidationConfig {
  const problems: string[] = [];
  let e: z.output<typeof AcmeValidationEnvSchema> | undefined;
  try {
    e = loadEnv(AcmeValidationEnvSchema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const dnsResolvers: DnsServer[] = [];
  for (const item of list(env.SIGNET_ACME_DNS_RESOLVERS ?? '')) {
    const s = parseDnsServer(item);
    if (s) dnsResolvers.push(s);
    else problems.push(`SIGNET_ACME_DNS_RESOLVERS: "${item.slice(0, 64)}" is not an IP address with an optional port (host[:port], [v6]:port)`);
  }
  const allowedAddresses: AddressRange[] = [];
  for (const item of list(env.SIGNET_ACME_ALLOWED_ADDRESSES ?? '')) {
    const r = parseAddressRange(item);
    if (r) allowedAddresses.push(r);
    else problems.push(`SIGNET_ACME_ALLOWED_ADDRESSES: "${item.slice(0, 64)}" is not an address or CIDR block`);
  }
  if (problems.length || !e) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  return {
    http01Port: e.SIGNET_ACME_HTTP01_PORT,
    tlsAlpn01Port: e.SIGNET_ACME_TLSALPN01_PORT,
    dnsResolvers,
    timeoutMs: e.SIGNET_ACME_VALIDATION_TIMEOUT_MS,
    maxRedirects: e.SIGNET_ACME_HTTP01_MAX_REDIRECTS,
    maxBodyBytes: e.SIGNET_ACME_HTTP01_MAX_BODY_BYTES,
    allowPrivateAddresses: e.SIGNET_ACME_ALLOW_PRIVATE_ADDRESSES,
    allowedAddresses,
  };
}
