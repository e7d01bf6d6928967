import { type PublicKeyInfo } from '@signet/contracts';
import { KEYS, policyFrom, ruleContext, shippedPolicy, ANYONE } from '../testing/fixtures';
import { checkKey } from './key';

describe('rules key.*', () => {
  const shipped = shippedPolicy();
  const capped = policyFrom({
    templates: {
      Capped: {
        ...ANYONE,
        keys: [{ algorithm: 'rsa', minBits: 2048, maxBits: 4096 }, { algorithm: 'ed25519' }],
        subject: { mode: 'fixed', name: [{ type: 'CN', value: 'x' }] },
        validityDays: 1,
      },
    },
  });

  it.each<[string, string, PublicKeyInfo]>([
    ['ok/WebServer RSA 2048', 'WebServer', KEYS.rsa2048],
    ['ok/WebServer P-256', 'WebServer', KEYS.p256],
    ['ok/WebServer P-384', 'WebServer', KEYS.p384],
    ['ok/CodeSigning RSA 3072', 'CodeSigning', KEYS.rsa3072],
    ['ok/ClientAuth P-384', 'ClientAuth', KEYS.p384],
  ])('%s', (_n, template, key) => {
    expect(checkKey(ruleContext(shipped, template, { key }))).toEqual([]);
  });

  it('ok/Ed25519 where listed', () => {
    expect(checkKey(ruleContext(capped, 'Capped', { key: KEYS.ed25519 }))).toEqual([]);
  });

  it.each<[string, string, PublicKeyInfo, string, string, string]>([
    ['fail/RSA 1024', 'WebServer', KEYS.rsa1024, 'key.size', 'publicKey.bits', '1024'],
    ['fail/RSA 2048 for CodeSigning', 'CodeSigning', KEYS.rsa2048, 'key.size', 'publicKey.bits', '2048'],
    ['fail/P-521 not listed', 'WebServer', KEYS.p521, 'key.curve', 'publicKey.curve', 'P-521'],
    ['fail/EC without a curve', 'WebServer', { ...KEYS.p256, curve: undefined }, 'key.curve', 'publicKey.curve', 'unknown'],
    ['fail/Ed25519 not allowed by default', 'WebServer', KEYS.ed25519, 'key.algorithm', 'publicKey.algorithm', 'ed25519'],
    ['fail/unknown algorithm', 'ClientAuth', { algorithm: 'unknown', bits: 0, spkiSha256: '0'.repeat(64) }, 'key.algorithm', 'publicKey.algorithm', 'unknown'],
  ])('%s', (_n, template, key, rule, field, value) => {
    const [d, ...rest] = checkKey(ruleContext(shipped, template, { key }));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ rule, field, value });
  });

  it('fail/RSA above maxBits', () => {
    expect(checkKey(ruleContext(capped, 'Capped', { key: { ...KEYS.rsa2048, bits: 8192 } }))[0]).toMatchObject({
      rule: 'key.size',
      message: 'RSA key of 8192 bits is too large for template Capped (maximum 4096)',
    });
  });

  it('says which minimum applies', () => {
    expect(checkKey(ruleContext(shipped, 'WebServer', { key: KEYS.rsa1024 }))[0].message).toBe(
      'RSA key of 1024 bits is too small for template WebServer (minimum 2048)',
    );
  });
});
