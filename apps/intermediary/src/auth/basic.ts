/**
 * HTTP Basic credentials (RFC 7617) as EST clients send them:
 * `Authorization: Basic base64(user-id ":" password)`. Pure.
 *
 * - undefined: no Authorization header, or another scheme (another
 *   authenticator's: a Bearer token, say);
 * - `malformed`: Basic, but not base64 of `user-id:password` (counted as a
 *   failed attempt, like a wrong password);
 * - the pair otherwise. The user-id holds no colon (RFC 7617 §2); the
 *   password may.
 */
export type BasicCredentials = { userId: string; password: string } | 'malformed';

/** Longer than any Signet credential could be in base64 (an enrollment secret is 84 characters). */
const MAX_HEADER_CHARS = 1024;

export function parseBasic(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*basic(?:\s+(.*))?$/is.exec(header);
  if (!m) return undefined;
  const b64 = (m[1] ?? '').trim();
  if (header.length > MAX_HEADER_CHARS || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return 'malformed';
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) return 'malformed';
  return { userId: text.slice(0, at), password: text.slice(at + 1) };
}
