import { parseDnsName } from './dns';

/**
 * uniformResourceIdentifier SANs (RFC 5280 4.2.1.6): an absolute URI with
 * a host, IA5String. Templates restrict the scheme and the host's domain.
 */
export type UriCheck = { ok: true; value: string; scheme: string; host: string } | { ok: false; reason: string };

export function parseUri(input: string): UriCheck {
  if (input.length > 1024) return { ok: false, reason: 'is longer than 1024 characters' };
  if (!/^[\x21-\x7e]+$/.test(input)) return { ok: false, reason: 'contains spaces, controls or non-ASCII characters' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'is not an absolute URI' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not carry user information' };
  const host = parseDnsName(url.hostname);
  if (!host.ok) return { ok: false, reason: `has a host that ${host.reason}` };
  // The certificate keeps the URI as written: re-serialising could change what the relying party compares.
  return { ok: true, value: input, scheme: url.protocol.slice(0, -1).toLowerCase(), host: host.name };
}
