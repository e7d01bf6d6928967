import { ConfigError } from '@signet/config';
import { ScratchDir } from '@signet/testing';
import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../config/config';
import { loadTokenAuthConfig } from './tokens.config';

const scratch = new ScratchDir('signet-token-config-');
afterAll(() => scratch.remove());

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecJwk = ec.publicKey.export({ format: 'jwk' });
const pem = (k = ec.publicKey) => k.export({ type: 'spki', format: 'pem' }).toString();
const enroll = (file: string, more: Record<string, string> = {}) => ({ SIGNET_ENROLLMENT_KEYS_FILE: file, SIGNET_ENROLLMENT_TOKEN_AUDIENCE: 'https://pki.example.com', ...more });
const oidc = (more: Record<string, string> = {}) => ({ SIGNET_OIDC_ISSUER: 'https://idp.example.com', SIGNET_OIDC_CLIENT_ID: 'signet', ...more });

function problem(env: Record<string, string>): string {
  try {
    loadTokenAuthConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('token methods configuration', () => {
  it('ok/neither method: both off', () => {
    expect(loadTokenAuthConfig({})).toEqual({ enrollment: undefined, oidc: [], clockSkewSeconds: 60 });
  });

  it('ok/enrollment keys from PEM (name and kid lines) and from a JWKS; algorithms pinned by key type', () => {
    const ed = generateKeyPairSync('ed25519');
    const pemFile = scratch.write('keys.pem', `# operators\nname: ops\n${pem()}\nname: edge\nkid: edge-1\n${pem(ed.publicKey)}`);
    const c = loadTokenAuthConfig(enroll(pemFile, { SIGNET_ENROLLMENT_TOKEN_MAX_TTL_SECONDS: '900' }));
    expect(c.enrollment).toMatchObject({ audience: 'https://pki.example.com', maxTtlSeconds: 900 });
    expect(c.enrollment!.keys.map((k) => [k.name, k.alg, k.kid.length])).toEqual([
      ['ops', 'ES256', 43],
      ['edge', 'EdDSA', 6],
    ]);
    const jwksFile = scratch.write('keys.json', JSON.stringify({ keys: [{ ...ecJwk, iss: 'ops', kid: 'ops-2026', alg: 'ES256', use: 'sig' }] }));
    expect(loadTokenAuthConfig(enroll(jwksFile)).enrollment!.keys.map((k) => [k.name, k.kid, k.alg])).toEqual([['ops', 'ops-2026', 'ES256']]);
  });

  it('ok/OIDC: discovery by default, the defaults', () => {
    expect(loadTokenAuthConfig(oidc()).oidc).toEqual([
      {
        issuer: 'https://idp.example.com',
        clientId: 'signet',
        keys: { kind: 'discovery' },
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
        groupsClaim: 'groups',
        upnClaim: undefined,
        maxTokenAgeSeconds: 600,
        jwksCooldownSeconds: 30,
      },
    ]);
  });

  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
  const cases: [string, () => Record<string, string>, string, RegExp][] = [
    ['an unreadable keys file', () => enroll('/nonexistent/keys.pem'), 'SIGNET_ENROLLMENT_KEYS_FILE', /cannot read .*ENOENT/],
    ['an empty keys file', () => enroll(scratch.write('empty.pem', '')), 'SIGNET_ENROLLMENT_KEYS_FILE', /holds no key/],
    ['a JWKS with no keys', () => enroll(scratch.write('none.json', '{"keys":[]}')), 'SIGNET_ENROLLMENT_KEYS_FILE', /holds no key/],
    ['JSON that does not parse', () => enroll(scratch.write('bad.json', '{"keys":')), 'SIGNET_ENROLLMENT_KEYS_FILE', /does not parse/],
    ['a private key (PEM)', () => enroll(scratch.write('priv.pem', `name: ops\n${ec.privateKey.export({ type: 'pkcs8', format: 'pem' })}`)), 'SIGNET_ENROLLMENT_KEYS_FILE', /PRIVATE KEY block: register PUBLIC KEY blocks only/],
    ['a private key (JWK)', () => enroll(scratch.write('priv.json', JSON.stringify({ keys: [{ ...ec.privateKey.export({ format: 'jwk' }), kid: 'ops' }] }))), 'SIGNET_ENROLLMENT_KEYS_FILE', /private or secret key/],
    ['a secret key (JWK oct)', () => enroll(scratch.write('oct.json', JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'ops' }] }))), 'SIGNET_ENROLLMENT_KEYS_FILE', /private or secret key/],
    ['a PEM key without a name line', () => enroll(scratch.write('noname.pem', pem())), 'SIGNET_ENROLLMENT_KEYS_FILE', /no "name: <issuer>" line/],
    ['a JWK without iss or kid', () => enroll(scratch.write('noname.json', JSON.stringify({ keys: [ecJwk] }))), 'SIGNET_ENROLLMENT_KEYS_FILE', /has no name/],
    ['a name with a colon', () => enroll(scratch.write('colon.pem', `name: a:b\n${pem()}`)), 'SIGNET_ENROLLMENT_KEYS_FILE', /enrollment key name is/],
    ['an RSA key under 2048 bits', () => enroll(scratch.write('rsa.pem', `name: ci\n${pem(rsa1024.publicKey)}`)), 'SIGNET_ENROLLMENT_KEYS_FILE', /no accepted algorithm uses/],
    ['an unknown alg', () => enroll(scratch.write('hs.json', JSON.stringify({ keys: [{ ...ecJwk, kid: 'ops', alg: 'HS256' }] }))), 'SIGNET_ENROLLMENT_KEYS_FILE', /alg "HS256", which is not accepted/],
    ['an alg the key is not for', () => enroll(scratch.write('mismatch.json', JSON.stringify({ keys: [{ ...p384, kid: 'ops', alg: 'ES256' }] }))), 'SIGNET_ENROLLMENT_KEYS_FILE', /has alg ES256, but its key is for ES384/],
    ['a key listed twice', () => enroll(scratch.write('twice.pem', `name: ops\n${pem()}\nname: ops\n${pem()}`)), 'SIGNET_ENROLLMENT_KEYS_FILE', /listed twice/],
    ['keys without an audience', () => ({ SIGNET_ENROLLMENT_KEYS_FILE: scratch.write('ok.pem', `name: ops\n${pem()}`) }), 'SIGNET_ENROLLMENT_TOKEN_AUDIENCE', /is required/],
    ['an audience without keys', () => ({ SIGNET_ENROLLMENT_TOKEN_AUDIENCE: 'x' }), 'SIGNET_ENROLLMENT_TOKEN_AUDIENCE', /without SIGNET_ENROLLMENT_KEYS_FILE/],
    ['a max TTL out of range', () => ({ SIGNET_ENROLLMENT_TOKEN_MAX_TTL_SECONDS: '999999' }), 'SIGNET_ENROLLMENT_TOKEN_MAX_TTL_SECONDS', /./],
    ['an issuer without a client id', () => ({ SIGNET_OIDC_ISSUER: 'https://idp.example.com' }), 'SIGNET_OIDC_CLIENT_ID', /is required/],
    ['an http issuer that is not loopback', () => oidc({ SIGNET_OIDC_ISSUER: 'http://idp.example.com' }), 'SIGNET_OIDC_ISSUER', /https/],
    ['an issuer that is no URL', () => oidc({ SIGNET_OIDC_ISSUER: 'idp' }), 'SIGNET_OIDC_ISSUER', /not a URL/],
    ['a JWKS URI and a file', () => oidc({ SIGNET_OIDC_JWKS_URI: 'https://idp.example.com/jwks', SIGNET_OIDC_JWKS_FILE: '/x' }), 'SIGNET_OIDC_JWKS_FILE', /both set/],
    ['an unreadable JWKS file', () => oidc({ SIGNET_OIDC_JWKS_FILE: '/nonexistent/jwks.json' }), 'SIGNET_OIDC_JWKS_FILE', /cannot read .*ENOENT/],
    ['an empty JWKS file', () => oidc({ SIGNET_OIDC_JWKS_FILE: scratch.write('oidc-empty.json', '{"keys":[]}') }), 'SIGNET_OIDC_JWKS_FILE', /holds no key/],
    ['HS256 among the algorithms', () => oidc({ SIGNET_OIDC_ALGORITHMS: 'RS256,HS256' }), 'SIGNET_OIDC_ALGORITHMS', /HS256 is not accepted .*never HS\* or none/],
    ['an OIDC variable without an issuer', () => ({ SIGNET_OIDC_CLIENT_ID: 'signet' }), 'SIGNET_OIDC_CLIENT_ID', /without SIGNET_OIDC_ISSUER/],
  ];

  it.each(cases)('fail/%s: a ConfigError naming %s', (_n, env, variable, message) => {
    const m = problem(env());
    expect(m.startsWith(`${variable}`) || m.includes(`${variable}:`)).toBe(true);
    expect(m).toMatch(message);
  });

  it('a misconfigured method stops the intermediary at boot: loadConfig throws', () => {
    expect(() => loadConfig({ SIGNET_OIDC_ISSUER: 'https://idp.example.com' })).toThrow(/SIGNET_OIDC_CLIENT_ID/);
  });
});
