import { ErrorCode, IdentitySchema, SignetError, type Identity, type IdentityInput, type IdentityMethod } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';
import { decodeJwt, decodeProtectedHeader, errors, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

/*
 * What the two bearer-token methods (enrollment tokens, OIDC ID tokens;
 * ADR 0031) share: reading `Authorization: Bearer <jwt>`, deciding which
 * method a token belongs to before anything is verified, and turning a
 * failed check into a 401 whose reason names what failed, never the token.
 */

/** Longest bearer token read; ID tokens with many groups run to a few KiB. */
export const MAX_BEARER_CHARS = 16_384;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A bearer JWT as presented: decoded, nothing verified yet. */
export interface PresentedJwt {
  readonly token: string;
  readonly header: ProtectedHeaderParameters;
  readonly payload: JWTPayload;
  /** The unverified `iss`: only used to pick the method and key that will verify it. */
  readonly iss: string;
}

/** A 401 for a presented credential that does not hold. `reason` is a short code for clients and tests. */
export function unauthorized(method: IdentityMethod | 'bearer', reason: string, message: string): SignetError {
  return new SignetError(ErrorCode.Unauthorized, message, { method, reason });
}

/**
 * An issuer as a message may quote it: it comes from the client, so only
 * short printable text is shown, never anything that could forge a log line.
 */
export function quoteIssuer(iss: string): string {
  return /^[\x20-\x7e]{1,200}$/.test(iss) ? JSON.stringify(iss) : '(an issuer that cannot be shown)';
}

/**
 * The bearer JWT of a request, decoded but not verified; undefined when the
 * request carries no `Authorization: Bearer` (no header, or another scheme
 * such as Basic, which other methods read). A Bearer credential that is not
 * a readable JWT with an `iss` is refused: it is never taken for anonymous.
 */
export function presentedJwt(req: HttpRequest): PresentedJwt | undefined {
  const value = req.headers.authorization;
  if (typeof value !== 'string') return undefined;
  const m = /^Bearer(?:[ \t]+(.*))?$/is.exec(value.trim());
  if (!m) return undefined;
  const token = (m[1] ?? '').trim();
  if (token.length === 0) throw unauthorized('bearer', 'malformed', 'the Bearer credential is empty');
  if (token.length > MAX_BEARER_CHARS) throw unauthorized('bearer', 'malformed', `the bearer token is longer than ${MAX_BEARER_CHARS} characters`);
  if (!COMPACT_JWS.test(token)) throw unauthorized('bearer', 'malformed', 'the bearer token is not a signed JWT (compact JWS)');
  let header: ProtectedHeaderParameters;
  let payload: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch {
    throw unauthorized('bearer', 'malformed', 'the bearer token cannot be read as a JWT');
  }
  if (typeof payload.iss !== 'string' || payload.iss.length === 0) throw unauthorized('bearer', 'malformed', 'the bearer token names no issuer (iss)');
  return { token, header, payload, iss: payload.iss };
}

/**
 * Which bearer method a token is for, decided from what the configured
 * methods registered: an enrollment token's `iss` is a registered key's
 * name (or its header says it is one), an ID token's is a configured OIDC
 * issuer. Shared by every bearer authenticator, so whichever is asked first
 * refuses a token none of them accepts, whatever their order.
 */
export class BearerIssuers {
  constructor(
    private readonly enrollment: { keyNames: ReadonlySet<string>; type: string } | undefined,
    private readonly oidcIssuers: ReadonlySet<string>,
  ) {}

  claimant(jwt: PresentedJwt): 'enrollment-token' | 'oidc' | undefined {
    if (this.enrollment && (this.enrollment.keyNames.has(jwt.iss) || jwt.header.typ === this.enrollment.type)) return 'enrollment-token';
    if (this.oidcIssuers.has(jwt.iss)) return 'oidc';
    return undefined;
  }

  /**
   * The bearer token for `method`, undefined when the request carries none
   * or one another bearer method takes; throws when no method takes it.
   */
  forMethod(req: HttpRequest, method: 'enrollment-token' | 'oidc'): PresentedJwt | undefined {
    const jwt = presentedJwt(req);
    if (!jwt) return undefined;
    const claimant = this.claimant(jwt);
    if (claimant === undefined) throw unauthorized('bearer', 'unknown-issuer', `no authentication method accepts tokens from issuer ${quoteIssuer(jwt.iss)}`);
    return claimant === method ? jwt : undefined;
  }
}

/**
 * A jose failure as the 401 reason a client can act on. `what` names the
 * credential ("enrollment token", "ID token"); nothing of the token is quoted.
 */
export function refusal(method: IdentityMethod, what: string, e: unknown, limits: { maxAgeSeconds: number }): SignetError {
  if (e instanceof SignetError) return e;
  const no = (reason: string, message: string) => unauthorized(method, reason, `${what} refused: ${message}`);
  if (e instanceof errors.JWTExpired) {
    return e.claim === 'iat' ? no('too-old', `it was issued more than ${limits.maxAgeSeconds} s ago`) : no('expired', 'it has expired');
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.reason === 'missing') return no('missing-claim', `it has no ${e.claim} claim`);
    switch (e.claim) {
      case 'aud':
        return no('wrong-audience', 'it is for another audience (aud)');
      case 'iss':
        return no('wrong-issuer', 'it is from another issuer (iss)');
      case 'nbf':
        return no('not-yet-valid', 'it is not valid yet (nbf)');
      case 'iat':
        return no('not-yet-valid', 'it was issued in the future (iat)');
      case 'typ':
        return no('wrong-type', 'its header typ is not the one this method accepts');
      default:
        return no('bad-claim', `its ${e.claim} claim is invalid`);
    }
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return no('algorithm-not-allowed', 'its signature algorithm is not accepted for this key');
  if (e instanceof errors.JWSSignatureVerificationFailed) return no('bad-signature', 'its signature does not verify');
  if (e instanceof errors.JWKSNoMatchingKey) return no('unknown-key', "it is signed by a key (kid) the issuer's key set does not hold");
  if (e instanceof errors.JWKSMultipleMatchingKeys) return no('unknown-key', "it names no key id (kid) and the issuer's key set holds several keys");
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid) return no('keys-unavailable', "the issuer's key set cannot be fetched now");
  if (e instanceof errors.JOSENotSupported) return no('algorithm-not-allowed', 'its signature algorithm or key type is not supported');
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return no('malformed', 'it is not a valid signed JWT');
  if (e instanceof errors.JOSEError) return no('keys-unavailable', "the issuer's key set cannot be fetched now");
  return no('malformed', 'it cannot be checked');
}

/** The identity built from verified claims, checked by the contract; a claim it refuses (control characters, size) is a 401 naming the field. */
export function checkedIdentity(method: IdentityMethod, what: string, input: IdentityInput): Identity {
  const r = IdentitySchema.safeParse(input);
  if (r.success) return r.data;
  const field = r.error.issues[0]?.path.join('.') || 'identity';
  throw unauthorized(method, 'bad-claim', `${what} refused: what it asserts is not acceptable (${field})`);
}
