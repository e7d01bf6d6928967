import { createHash } from 'node:crypto';
import type { ValidationResult } from './challenge-validator';
import type { CheckedIdentifier } from './names';
import { fail, quote } from './outcome';
import type { ValidationContext } from './context';

/** base64url(SHA-256(keyAuthorization)): the TXT value of RFC 8555 8.4. */
export function dns01Digest(keyAuthorization: string): string {
  return createHash('sha256').update(keyAuthorization, 'utf8').digest('base64url');
}

/**
 * dns-01, RFC 8555 8.4: a TXT record at _acme-challenge.<name> (for a
 * wildcard, of the base name) must hold base64url(SHA-256(key
 * authorization)). Other TXT records may sit beside it. CNAMEs are followed
 * by the recursive resolver, as for any lookup.
 */
export async function validateDns01(id: CheckedIdentifier, keyAuthorization: string, ctx: ValidationContext): Promise<ValidationResult> {
  if (id.type === 'ip') throw fail('malformed', 'dns-01 cannot prove an ip identifier (RFC 8738 7)');
  const name = `_acme-challenge.${id.wildcard ? id.value.slice(2) : id.value}`;
  const expected = dns01Digest(keyAuthorization);
  const records = await ctx.dns.txt(name);
  if (records.includes(expected)) return { ok: true };
  if (records.length === 0) throw fail('incorrectResponse', `no TXT record at ${name}; expected ${expected}`);
  const shown = records.slice(0, 3).map((r) => quote(r, 64));
  const more = records.length > 3 ? ` and ${records.length - 3} more` : '';
  throw fail('incorrectResponse', `the TXT records at ${name} (${shown.join(', ')}${more}) do not include ${expected}`);
}
