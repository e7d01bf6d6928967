import { spawnSync } from 'node:child_process';
import { controlCharacterCsr, fuzzKey, fuzzKeys, mutateCsr, Prng, rawCsr } from './index';

describe('Prng', () => {
  it('gives the same sequence for the same seed, another for another seed', () => {
    const run = (seed: number) => {
      const p = new Prng(seed);
      return Array.from({ length: 8 }, () => p.u32());
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  it('stays in range', () => {
    const p = new Prng(1);
    for (let i = 0; i < 1000; i++) {
      const n = p.int(7);
      expect(n).toBeGreaterThanOrEqual(0);
      expect(n).toBeLessThan(7);
    }
  });
});

describe('fuzzed requests', () => {
  const key = fuzzKey();

  it('the raw writer makes requests OpenSSL reads and whose signature verifies', () => {
    const der = rawCsr(key, [{ type: 'O', tag: 'printable', value: 'Example' }, { type: 'CN', tag: 'bmp', value: 'www.example.com' }], [
      { type: 'dns', value: 'www.example.com' },
      { type: 'upn', value: 'a@example.com' },
    ]);
    const r = spawnSync('openssl', ['req', '-inform', 'DER', '-verify', '-noout', '-text'], { input: der, encoding: 'utf8' });
    expect(r.stderr + r.stdout).toMatch(/verify OK|Certificate request self-signature verify OK/);
    expect(r.stdout).toMatch(/Subject: O ?= ?Example, CN ?= ?www\.example\.com/);
    expect(r.stdout).toMatch(/DNS:www\.example\.com/);
  });

  it('are the same bytes for the same seed when signed with Ed25519', () => {
    const make = () => {
      const p = new Prng(7);
      const keys = fuzzKeys(p);
      return Array.from({ length: 20 }, () => mutateCsr(p, keys)).filter((c) => !c.kind.startsWith('signed again'));
    };
    const [a, b] = [make(), make()];
    expect(a.length).toBeGreaterThan(3);
    expect(a.map((c) => c.der.toString('hex'))).toEqual(b.map((c) => c.der.toString('hex')));
    expect(controlCharacterCsr(new Prng(9), fuzzKeys(new Prng(9))).kind).toBe(controlCharacterCsr(new Prng(9), fuzzKeys(new Prng(9))).kind);
  });
});
