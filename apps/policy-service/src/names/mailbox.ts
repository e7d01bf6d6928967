import { parseDnsName } from './dns';

/**
 * `local@domain` names: rfc822Name SANs (RFC 5280 4.2.1.6: an RFC 5322
 * addr-spec without quoting or comments) and Microsoft UPNs. The domain part
 * is what templates restrict, so it must be a plain DNS name.
 */
export type MailboxCheck = { ok: true; value: string; local: string; domain: string } | { ok: false; reason: string };

// RFC 5322 dot-atom text; quoted local parts are refused because verifiers disagree on them.
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

function split(input: string): { local: string; domain: string } | undefined {
  const at = input.lastIndexOf('@');
  if (at <= 0 || at === input.length - 1) return undefined;
  return { local: input.slice(0, at), domain: input.slice(at + 1) };
}

/** An rfc822Name: ASCII only (IA5String), domain lower-cased, local part kept as written. */
export function parseEmail(input: string): MailboxCheck {
  if (input.length > 254) return { ok: false, reason: 'is longer than 254 characters' };
  const parts = split(input);
  if (!parts) return { ok: false, reason: 'is not of the form local@domain' };
  if (parts.local.length > 64 || !DOT_ATOM.test(parts.local)) return { ok: false, reason: 'has an invalid local part' };
  const domain = parseDnsName(parts.domain);
  if (!domain.ok) return { ok: false, reason: `has a domain that ${domain.reason}` };
  return { ok: true, local: parts.local, domain: domain.name, value: `${parts.local}@${domain.name}` };
}

/**
 * A user principal name (otherName 1.3.6.1.4.1.311.20.2.3, UTF8String).
 * Windows allows most characters in the user part; we refuse only what can
 * confuse a reader or a parser: controls, spaces and a second `@`.
 */
export function parseUpn(input: string): MailboxCheck {
  if (input.length > 256) return { ok: false, reason: 'is longer than 256 characters' };
  const parts = split(input);
  if (!parts) return { ok: false, reason: 'is not of the form user@domain' };
  // eslint-disable-next-line no-control-regex
  if (/[\s@\x00-\x1f\x7f]/u.test(parts.local)) return { ok: false, reason: 'has an invalid user part' };
  const domain = parseDnsName(parts.domain);
  if (!domain.ok) return { ok: false, reason: `has a domain that ${domain.reason}` };
  return { ok: true, local: parts.local, domain: domain.name, value: `${parts.local}@${domain.name}` };
}
