import { ConfigError, envInt, loadEnv } from '@signet/config';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { loadEnrollmentKeys, type EnrollmentKey } from './enrollment-keys';

/*
 * Configuration of the two bearer-token methods (ADR 0031), read at boot
 * with the rest of the intermediary's: a method that is half configured, or
 * whose keys cannot be read, stops the process with a message naming the
 * variable. Unset, a method is off.
 */

/** Signature algorithms an OIDC issuer may use: asymmetric only, so a public key can never serve as an HMAC secret. */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const TokenAuthEnvSchema = z.object({
  /** JWKS or PEM public keys of the operators' enrollment keys; unset: enrollment tokens are off. */
  SIGNET_ENROLLMENT_KEYS_FILE: optional,
  /** The `aud` every enrollment token must carry: this intermediary's public URL, e.g. https://pki.example.com. */
  SIGNET_ENROLLMENT_TOKEN_AUDIENCE: optional,
  /** Longest life (exp − iat) an enrollment token may have. */
  SIGNET_ENROLLMENT_TOKEN_MAX_TTL_SECONDS: envInt(3_600, 60, 86_400),
  /** The OIDC issuer whose ID tokens are accepted (its `iss`, exactly); unset: OIDC is off. */
  SIGNET_OIDC_ISSUER: optional,
  /** The client id ID tokens must be issued to (their `aud`). */
  SIGNET_OIDC_CLIENT_ID: optional,
  /** Where the issuer's keys are; default: the `jwks_uri` of its discovery document. */
  SIGNET_OIDC_JWKS_URI: optional,
  /** Or a JWKS file (an issuer the intermediary cannot reach). */
  SIGNET_OIDC_JWKS_FILE: optional,
  /** Accepted signature algorithms, comma-separated. */
  SIGNET_OIDC_ALGORITHMS: optional,
  /** The claim that lists the user's groups. */
  SIGNET_OIDC_GROUPS_CLAIM: z.string().min(1).max(128).default('groups'),
  /** A claim to take as a UPN name (`upn`, `preferred_username`); unset: none. */
  SIGNET_OIDC_UPN_CLAIM: optional.pipe(z.string().max(128).optional()),
  /** Oldest ID token accepted (now − iat): ID tokens are bearer for their whole life, so only fresh ones enroll. */
  SIGNET_OIDC_MAX_TOKEN_AGE_SECONDS: envInt(600, 30, 86_400),
  /** Shortest time between two fetches of the issuer's key set (a token with an unknown kid triggers one). */
  SIGNET_OIDC_JWKS_COOLDOWN_SECONDS: envInt(30, 0, 3_600),
  /** Clock difference allowed between the token's issuer and this host (exp, nbf, iat). */
  SIGNET_TOKEN_CLOCK_SKEW_SECONDS: envInt(60, 0, 600),
});

export interface EnrollmentTokenConfig {
  keys: EnrollmentKey[];
  audience: string;
  maxTtlSeconds: number;
}

/** Where an OIDC issuer's keys come from. */
export type OidcKeysSource = { kind: 'discovery' } | { kind: 'uri'; uri: string } | { kind: 'file'; jwks: JSONWebKeySet };

/** One accepted OIDC issuer. A list, so that a file of several issuers can be added without changing the authenticator. */
export interface OidcIssuerConfig {
  issuer: string;
  clientId: string;
  keys: OidcKeysSource;
  algorithms: string[];
  groupsClaim: string;
  upnClaim?: string;
  maxTokenAgeSeconds: number;
  jwksCooldownSeconds: number;
}

export interface TokenAuthConfig {
  /** Absent: enrollment tokens are off. */
  enrollment?: EnrollmentTokenConfig;
  /** Empty: OIDC is off. */
  oidc: OidcIssuerConfig[];
  clockSkewSeconds: number;
}

function fail(variable: string, message: string): never {
  throw new ConfigError(`${variable}: ${message}`, [variable]);
}

/** An https URL, or http to a loopback address (a local issuer, tests). */
function checkedUrl(variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(variable, 'is not a URL');
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) fail(variable, 'must be an https URL (http only to a loopback address)');
  if (url.username || url.password || url.hash) fail(variable, 'must not carry credentials or a fragment');
  return value;
}

/** A JWKS file of public keys; the keys are checked here so a bad file stops the start, not the first login. */
function readJwksFile(variable: string, path: string): JSONWebKeySet {
  let doc: { keys?: unknown };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as { keys?: unknown };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(variable, code ? `cannot read ${path}: ${code}` : `${path} is not JSON`);
  }
  if (!Array.isArray(doc.keys) || doc.keys.length === 0) fail(variable, `${path} holds no key ("keys" is missing or empty)`);
  for (const [i, jwk] of (doc.keys as Record<string, unknown>[]).entries()) {
    if (typeof jwk !== 'object' || jwk === null) fail(variable, `key ${i + 1} is not a JWK object`);
    if ('d' in jwk || jwk.kty === 'oct') fail(variable, `key ${i + 1} is a private or secret key: a JWKS lists public keys`);
    try {
      createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      fail(variable, `key ${i + 1} is not a valid public JWK`);
    }
  }
  return doc as JSONWebKeySet;
}

function algorithms(value: string | undefined): string[] {
  if (value === undefined) return [...OIDC_ALGORITHMS];
  const list = value.split(',').map((a) => a.trim()).filter(Boolean);
  if (list.length === 0) fail('SIGNET_OIDC_ALGORITHMS', 'lists no algorithm');
  for (const a of list) {
    if (!(OIDC_ALGORITHMS as readonly string[]).includes(a)) {
      fail('SIGNET_OIDC_ALGORITHMS', `${/^[A-Za-z0-9]{1,16}$/.test(a) ? a : 'an entry'} is not accepted (accepted: ${OIDC_ALGORITHMS.join(', ')}; never HS* or none)`);
    }
  }
  return list;
}

type Env = z.output<typeof TokenAuthEnvSchema>;

function enrollment(e: Env): EnrollmentTokenConfig | undefined {
  if (!e.SIGNET_ENROLLMENT_KEYS_FILE) {
    if (e.SIGNET_ENROLLMENT_TOKEN_AUDIENCE) fail('SIGNET_ENROLLMENT_TOKEN_AUDIENCE', 'is set without SIGNET_ENROLLMENT_KEYS_FILE');
    return undefined;
  }
  if (!e.SIGNET_ENROLLMENT_TOKEN_AUDIENCE) fail('SIGNET_ENROLLMENT_TOKEN_AUDIENCE', 'is required with SIGNET_ENROLLMENT_KEYS_FILE (this intermediary\'s public URL, which tokens name as their aud)');
  if (!/^[\x21-\x7e]{1,256}$/.test(e.SIGNET_ENROLLMENT_TOKEN_AUDIENCE)) fail('SIGNET_ENROLLMENT_TOKEN_AUDIENCE', 'must be 1-256 printable characters without spaces');
  return {
    keys: loadEnrollmentKeys(e.SIGNET_ENROLLMENT_KEYS_FILE),
    audience: e.SIGNET_ENROLLMENT_TOKEN_AUDIENCE,
    maxTtlSeconds: e.SIGNET_ENROLLMENT_TOKEN_MAX_TTL_SECONDS,
  };
}

const OIDC_DEPENDENT = ['SIGNET_OIDC_CLIENT_ID', 'SIGNET_OIDC_JWKS_URI', 'SIGNET_OIDC_JWKS_FILE', 'SIGNET_OIDC_ALGORITHMS', 'SIGNET_OIDC_UPN_CLAIM'] as const;

function oidc(e: Env): OidcIssuerConfig[] {
  if (!e.SIGNET_OIDC_ISSUER) {
    const stray = OIDC_DEPENDENT.find((v) => e[v] !== undefined);
    if (stray) fail(stray, 'is set without SIGNET_OIDC_ISSUER');
    return [];
  }
  const issuer = checkedUrl('SIGNET_OIDC_ISSUER', e.SIGNET_OIDC_ISSUER);
  if (!e.SIGNET_OIDC_CLIENT_ID) fail('SIGNET_OIDC_CLIENT_ID', 'is required with SIGNET_OIDC_ISSUER (the audience ID tokens must be issued to)');
  if (e.SIGNET_OIDC_JWKS_URI && e.SIGNET_OIDC_JWKS_FILE) fail('SIGNET_OIDC_JWKS_FILE', 'and SIGNET_OIDC_JWKS_URI are both set: give one');
  const keys: OidcKeysSource = e.SIGNET_OIDC_JWKS_FILE
    ? { kind: 'file', jwks: readJwksFile('SIGNET_OIDC_JWKS_FILE', e.SIGNET_OIDC_JWKS_FILE) }
    : e.SIGNET_OIDC_JWKS_URI
      ? { kind: 'uri', uri: checkedUrl('SIGNET_OIDC_JWKS_URI', e.SIGNET_OIDC_JWKS_URI) }
      : { kind: 'discovery' };
  return [
    {
      issuer,
      clientId: e.SIGNET_OIDC_CLIENT_ID,
      keys,
      algorithms: algorithms(e.SIGNET_OIDC_ALGORITHMS),
      groupsClaim: e.SIGNET_OIDC_GROUPS_CLAIM,
      upnClaim: e.SIGNET_OIDC_UPN_CLAIM,
      maxTokenAgeSeconds: e.SIGNET_OIDC_MAX_TOKEN_AGE_SECONDS,
      jwksCooldownSeconds: e.SIGNET_OIDC_JWKS_COOLDOWN_SECONDS,
    },
  ];
}

/** Reads and checks both methods' configuration; throws ConfigError naming the variable (never a key or a secret). */
export function loadTokenAuthConfig(env: NodeJS.ProcessEnv = process.env): TokenAuthConfig {
  const e = loadEnv(TokenAuthEnvSchema, env);
  return { enrollment: enrollment(e), oidc: oidc(e), clockSkewSeconds: e.SIGNET_TOKEN_CLOCK_SKEW_SECONDS };
}
