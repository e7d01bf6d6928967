import { isSignetError } from '@signet/contracts';
import { fuzzCases, fuzzKeys, fuzzSeed, mutateCsr, mutateCsrText, Prng } from '@signet/testing';
import { challengePasswordOf, parseCsr } from '@signet/x509';
import { toIntermediaryHttpError } from '../auth/challenge';
import { csrDerOf } from './est-encoding';

/*
 * What EST does with a body before anything is submitted, over a few
 * thousand seeded mutations (SIGNET_FUZZ_CASES, SIGNET_FUZZ_SEED repeat or
 * lengthen a run): decode (csrDerOf), verify (parseCsr) and read the
 * channel binding (challengePasswordOf). Each input is either accepted or
 * refused with a SignetError that answers 4xx: never another exception,
 * never a 5xx.
 */
const SEED = fuzzSeed(0x7030);
const CASES = fuzzCases(2000);
const TYPES = ['application/pkcs10', 'application/pkcs10', 'application/pkcs10', 'Application/PKCS10; foo=bar', 'application/pkcs7-mime', 'text/plain', '', undefined];

function wrap(prng: Prng, b64: string): string {
  switch (prng.int(4)) {
    case 0:
      return b64;
    case 1:
      return b64.replace(/(.{64})/g, '$1\n');
    case 2:
      return b64.replace(/(.{76})/g, '$1\r\n') + '\r\n';
    default: {
      // A stray character somewhere.
      const at = prng.int(b64.length + 1);
      return b64.slice(0, at) + prng.pick(['-', '_', '*', '\u0000', ' ', '=', 'é', '\t']) + b64.slice(at);
    }
  }
}

describe('EST body handling under fuzzing', () => {
  it(`${CASES} mutated bodies: accepted, or refused with a 4xx SignetError (seed ${SEED})`, async () => {
    const prng = new Prng(SEED);
    const keys = fuzzKeys(prng);
    const failures: string[] = [];
    const outcomes = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const type = prng.pick(TYPES);
      let body: Buffer;
      let kind: string;
      const pick = prng.int(3);
      if (pick === 0) {
        const m = mutateCsr(prng, keys);
        body = Buffer.from(wrap(prng, m.der.toString('base64')));
        kind = `base64 of ${m.kind}`;
      } else if (pick === 1) {
        const m = mutateCsrText(prng, mutateCsr(prng, keys).der);
        body = Buffer.from(m.text);
        kind = `text: ${m.kind}`;
      } else {
        body = prng.bytes(prng.int(200));
        kind = 'random bytes';
      }
      try {
        const der = csrDerOf(type, body);
        await parseCsr(der);
        challengePasswordOf(der);
        outcomes.set('accepted', (outcomes.get('accepted') ?? 0) + 1);
      } catch (e) {
        const status = toIntermediaryHttpError(e).status;
        const code = isSignetError(e) ? e.code : 'not a SignetError';
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
        if (!isSignetError(e) || status < 400 || status >= 500) failures.push(`#${i} ${kind} (${type}): ${code} ${status} ${(e as Error).message}`);
      }
    }
    expect({ failures: failures.slice(0, 10), count: failures.length }).toEqual({ failures: [], count: 0 });
    // The run reaches both sides: some bodies are requests, most are refused.
    expect(outcomes.get('UNSUPPORTED_MEDIA_TYPE')).toBeGreaterThan(0);
    expect(outcomes.get('MALFORMED_REQUEST')).toBeGreaterThan(0);
    expect(outcomes.get('accepted')).toBeGreaterThan(0);
  }, 120_000);
});
