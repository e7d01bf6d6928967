import { ENROLLMENT_TOKEN_TYPE, enrollmentAlgorithmFor, EnrollmentTokenClaimsSchema, provenNameOf, SAN_TYPES, type SanType } from '@signet/contracts';
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { base64url, calculateJwkThumbprint, exportJWK, SignJWT, type JWTPayload } from 'jose';
import { list, str, type Verb } from '../command';
import { usage } from '../errors';
import { ExitCode } from '../exit-codes';
import { json } from '../output';

/** Longest lifetime the CLI mints; the intermediary's own maximum (default 1 h) may be shorter. */
const MAX_TTL_SECONDS = 86_400;
const DEFAULT_TTL_SECONDS = 300;

/** `300`, `300s`, `10m`, `1h` as seconds; a usage error otherwise. */
export function ttlSeconds(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TTL_SECONDS;
  const m = /^(\d{1,6})([smh]?)$/.exec(raw);
  const s = m ? Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600 }[m[2] as '' | 's' | 'm' | 'h'] : NaN;
  if (!(s >= 1 && s <= MAX_TTL_SECONDS)) throw usage(`--ttl: a duration from 1s to 24h, as 300, 300s, 10m or 1h`);
  return s;
}

/** A --san value: bare (its type inferred as the intermediary infers it) or `type:value` for dns, ip, email, uri, upn. */
export function sanEntry(raw: string): string | { type: SanType; value: string } {
  const m = /^([a-z]+):(?!\/\/)(.+)$/.exec(raw);
  const entry = m && (SAN_TYPES as readonly string[]).includes(m[1]!) ? { type: m[1] as SanType, value: m[2]! } : raw;
  if (!provenNameOf(entry)) throw usage(`--san ${JSON.stringify(raw)} is not a valid ${typeof entry === 'string' ? 'name' : `${entry.type} name`}`);
  return entry;
}

function signingKey(text: string, path: string): KeyObject {
  try {
    return text.trimStart().startsWith('{') ? createPrivateKey({ key: JSON.parse(text), format: 'jwk' }) : createPrivateKey(text);
  } catch {
    throw usage(`--key ${path}: not a private key (PEM, or a JWK with "d")`);
  }
}

export const tokenEnroll: Verb = {
  name: 'token enroll',
  summary: 'Mint a one-time enrollment token with an enrollment private key (no server call)',
  args: '<subject>',
  positionals: { min: 1, max: 1 },
  options: {
    key: { type: 'string', value: 'file', description: 'the enrollment private key: PEM (PKCS#8, SEC1, PKCS#1) or a private JWK' },
    issuer: { type: 'string', value: 'name', description: 'the name the key is registered under at the intermediary (the token\'s iss)' },
    kid: { type: 'string', value: 'id', description: 'key id as registered (default: the key\'s RFC 7638 thumbprint, which the intermediary uses for keys registered without one)' },
    san: { type: 'string', multiple: true, value: 'name', description: 'a name the token authorises (repeat; default: the subject); type inferred, or dns:, ip:, email:, uri:, upn:' },
    template: { type: 'string', value: 'name', description: 'the one template the token may be used with' },
    group: { type: 'string', multiple: true, value: 'name', description: 'a group the token binds (repeat)' },
    cn: { type: 'string', value: 'name', description: 'the subject CN the token vouches for' },
    ttl: { type: 'string', value: 'duration', description: 'lifetime: 300, 300s, 10m, 1h (default 5m; the intermediary refuses more than its maximum, 1h unless configured)' },
    audience: { type: 'string', value: 'aud', description: 'the intermediary the token is for (default: --url / SIGNET_URL, as its SIGNET_ENROLLMENT_TOKEN_AUDIENCE must be)' },
  },
  help: `The token goes to stdout; pass it as "Authorization: Bearer <token>" when submitting.
It may be used once: a second request with it is refused.

  signet token enroll www.example.com --key ops.key --issuer ops --san www.example.com --template WebServer --ttl 10m`,
  async run(ctx) {
    const path = str(ctx.values, 'key');
    const issuer = str(ctx.values, 'issuer');
    if (!path) throw usage('--key is required');
    if (!issuer) throw usage('--issuer is required');
    const key = signingKey(ctx.io.readFile(path).toString('utf8'), path);
    const details = key.asymmetricKeyDetails ?? {};
    const alg = enrollmentAlgorithmFor({ asymmetricKeyType: key.asymmetricKeyType, namedCurve: details.namedCurve, modulusLength: details.modulusLength });
    if (!alg) throw usage(`--key ${path}: a ${key.asymmetricKeyType} key no enrollment algorithm uses (P-256, P-384, Ed25519, RSA ≥ 2048 bits)`);
    const kid = str(ctx.values, 'kid') ?? (await calculateJwkThumbprint(await exportJWK(key)));
    const subject = ctx.positionals[0]!;
    const sans = list(ctx.values, 'san');
    const iat = Math.floor(Date.now() / 1000);
    const cn = str(ctx.values, 'cn');
    const template = str(ctx.values, 'template');
    const groups = list(ctx.values, 'group');
    const claims = {
      iss: issuer,
      sub: subject,
      aud: str(ctx.values, 'audience') ?? ctx.config.url.replace(/\/+$/, ''),
      iat,
      nbf: iat,
      exp: iat + ttlSeconds(str(ctx.values, 'ttl')),
      jti: base64url.encode(randomBytes(16)),
      sans: (sans.length ? sans : [subject]).map(sanEntry),
      ...(template ? { template } : {}),
      ...(groups.length ? { groups } : {}),
      ...(cn ? { subject: [{ type: 'CN', value: cn }] } : {}),
    };
    const checked = EnrollmentTokenClaimsSchema.safeParse(claims);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const flag: Record<string, string> = { iss: '--issuer', sub: '<subject>', sans: '--san', groups: '--group', subject: '--cn', template: '--template' };
      throw usage(`${flag[String(issue?.path[0])] ?? String(issue?.path[0])}: ${issue?.message}`);
    }
    const token = await new SignJWT(claims as JWTPayload).setProtectedHeader({ alg, typ: ENROLLMENT_TOKEN_TYPE, kid }).sign(key);
    if (ctx.json) ctx.io.out(json({ token, issuer, kid, jti: claims.jti, expiresAt: new Date(claims.exp * 1000).toISOString() }));
    else ctx.io.out(`${token}\n`);
    return ExitCode.Ok;
  },
};
