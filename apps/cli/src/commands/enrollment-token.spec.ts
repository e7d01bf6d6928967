import { ENROLLMENT_TOKEN_TYPE } from '@signet/contracts';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, jwtVerify } from 'jose';
import { run } from '../cli';
import { memoryIo } from '../testing/memory-io';
import { sanEntry, ttlSeconds } from './enrollment-token';

const noFetch = (() => {
  throw new Error('token enroll makes no HTTP call');
}) as unknown as typeof fetch;

const io = memoryIo;

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pkcs8 = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('signet token enroll', () => {
  it('ok/mints a token the registered public key verifies: typ, kid thumbprint, ES256, aud from --url, the claims asked for', async () => {
    const s = io({ 'ops.key': pkcs8(ec.privateKey) });
    const code = await run(
      ['token', 'enroll', 'www.example.com', '--key', 'ops.key', '--issuer', 'ops', '--san', 'www.example.com', '--san', 'upn:web@corp.example.com', '--template', 'WebServer', '--group', 'web', '--cn', 'www.example.com', '--ttl', '10m', '--url', 'https://pki.example.com/'],
      s.sink,
      noFetch,
    );
    expect({ code, err: s.err }).toEqual({ code: 0, err: [] });
    const token = s.out.join('').trim();
    const { payload, protectedHeader } = await jwtVerify(token, ec.publicKey, { algorithms: ['ES256'], typ: ENROLLMENT_TOKEN_TYPE, issuer: 'ops', audience: 'https://pki.example.com' });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: ENROLLMENT_TOKEN_TYPE, kid: await calculateJwkThumbprint(await exportJWK(ec.publicKey)) });
    expect(payload).toMatchObject({
      sub: 'www.example.com',
      sans: ['www.example.com', { type: 'upn', value: 'web@corp.example.com' }],
      template: 'WebServer',
      groups: ['web'],
      subject: [{ type: 'CN', value: 'www.example.com' }],
    });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('ok/Ed25519 → EdDSA, the SANs default to the subject, --kid and --audience as given, --json', async () => {
    const ed = generateKeyPairSync('ed25519');
    const s = io({ 'edge.jwk': JSON.stringify(ed.privateKey.export({ format: 'jwk' })) });
    expect(await run(['token', 'enroll', 'host-1.example.com', '--key', 'edge.jwk', '--issuer', 'edge', '--kid', 'edge-2026', '--audience', 'signet-test', '--json'], s.sink, noFetch)).toBe(0);
    const out = JSON.parse(s.out.join(''));
    expect(out).toMatchObject({ issuer: 'edge', kid: 'edge-2026', jti: expect.any(String), expiresAt: expect.any(String) });
    expect(decodeProtectedHeader(out.token)).toMatchObject({ alg: 'EdDSA', kid: 'edge-2026' });
    const { payload } = await jwtVerify(out.token, ed.publicKey, { audience: 'signet-test' });
    expect(payload.sans).toEqual(['host-1.example.com']);
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('ok/two tokens never share a jti', async () => {
    const jtis = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const s = io({ k: pkcs8(ec.privateKey) });
      await run(['token', 'enroll', 'a.example.com', '--key', 'k', '--issuer', 'ops', '--json'], s.sink, noFetch);
      jtis.add(JSON.parse(s.out.join('')).jti);
    }
    expect(jtis.size).toBe(2);
  });

  it.each([
    ['no --key', ['token', 'enroll', 'a.example.com', '--issuer', 'ops'], /--key is required/],
    ['no --issuer', ['token', 'enroll', 'a.example.com', '--key', 'k'], /--issuer is required/],
    ['an issuer that is no key name', ['token', 'enroll', 'a.example.com', '--key', 'k', '--issuer', 'https://x'], /--issuer: an enrollment key name/],
    ['a bad --ttl', ['token', 'enroll', 'a.example.com', '--key', 'k', '--issuer', 'ops', '--ttl', '2d'], /--ttl/],
    ['a --ttl over a day', ['token', 'enroll', 'a.example.com', '--key', 'k', '--issuer', 'ops', '--ttl', '25h'], /--ttl/],
    ['a --san that is no name', ['token', 'enroll', 'a.example.com', '--key', 'k', '--issuer', 'ops', '--san', 'not a name'], /--san "not a name" is not a valid name/],
    ['a public key', ['token', 'enroll', 'a.example.com', '--key', 'pub', '--issuer', 'ops'], /not a private key/],
    ['an RSA key under 2048 bits', ['token', 'enroll', 'a.example.com', '--key', 'rsa', '--issuer', 'ops'], /no enrollment algorithm uses/],
  ])('fail/%s: a usage error (exit 2)', async (_n, argv, message) => {
    const s = io({
      k: pkcs8(ec.privateKey),
      pub: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      rsa: pkcs8(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey),
    });
    expect(await run(argv, s.sink, noFetch)).toBe(2);
    expect(s.err.join('')).toMatch(message);
    expect(s.out).toEqual([]);
  });

  it('helpers: ttl and SAN entries', () => {
    expect([ttlSeconds(undefined), ttlSeconds('90'), ttlSeconds('90s'), ttlSeconds('10m'), ttlSeconds('1h')]).toEqual([300, 90, 90, 600, 3600]);
    expect(sanEntry('ip:192.0.2.1')).toEqual({ type: 'ip', value: '192.0.2.1' });
    expect(sanEntry('spiffe://example.com/x')).toBe('spiffe://example.com/x');
    expect(() => sanEntry('ip:www.example.com')).toThrow(/not a valid ip name/);
  });
});
