import { type JWK } from 'jose';
import { type AcmeConfig } from './acme.config';
import { type AccountRow, type AcmeStore } from './acme.store';
import { type AcmeUrls } from './acme.urls';
import { checkUrl, parseJws, verifyJws, type ParsedJws } from './jws';
import { AcmeProblem } from './problem';

/** One POST as it reached the server: the URL the client used and the body as text. */
export interface AcmeHttpRequest {
  urls: AcmeUrls;
  /** The full URL of this request (base + path), which the JWS must sign. */
  url: string;
  body: string;
  /** The client's address as Express sees it (the socket peer, or X-Forwarded-For behind a trusted proxy); null when unknown. */
  clientIp: string | null;
}

export interface Authenticated {
  parsed: ParsedJws;
  /** undefined: POST-as-GET. */
  payload: Record<string, unknown> | undefined;
  /** The key that signed: the account's, or the one in `jwk`. */
  jwk: JWK;
  account?: AccountRow;
}

/**
 * RFC 8555 6.2–6.5 for every POST: the JWS's form, its url, the key (an
 * account's by `kid`, or the `jwk` where the endpoint takes one), the
 * signature, and last the nonce, which is spent only by a request that was
 * otherwise good.
 */
/** `keyBy`: where the key comes from; `either` (revokeCert): an account's by kid, or the one in jwk. */
export async function authenticate(store: AcmeStore, config: AcmeConfig, req: AcmeHttpRequest, keyBy: 'kid' | 'jwk' | 'either'): Promise<Authenticated> {
  const parsed = parseJws(req.body, config.maxJwsBytes);
  checkUrl(parsed, req.url);
  let jwk: JWK;
  let account: AccountRow | undefined;
  if (keyBy === 'jwk' || (keyBy === 'either' && parsed.header.jwk)) {
    if (!parsed.header.jwk) throw new AcmeProblem('malformed', 'this request must carry the key in "jwk", not "kid"');
    jwk = parsed.header.jwk;
  } else {
    if (!parsed.header.kid) throw new AcmeProblem('malformed', 'this request must name its account in "kid", not carry "jwk"');
    const id = req.urls.accountIdOf(parsed.header.kid);
    account = id ? await store.accountById(id) : undefined;
    if (!account) throw new AcmeProblem('accountDoesNotExist', 'no account has this URL');
    jwk = account.jwk;
  }
  const payload = await verifyJws(parsed, jwk);
  if (!(await store.consumeNonce(parsed.header.nonce))) throw new AcmeProblem('badNonce', 'the nonce is unknown, used or expired; retry with a fresh one');
  if (account && account.status !== 'valid') throw new AcmeProblem('unauthorized', `the account is ${account.status}`);
  return { parsed, payload, jwk, account };
}

/** The account of a kid-authenticated request (authenticate guarantees it). */
export function accountOf(a: Authenticated): AccountRow {
  if (!a.account) throw new AcmeProblem('serverInternal', 'no account on an account request');
  return a.account;
}
