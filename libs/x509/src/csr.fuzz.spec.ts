import { ErrorCode, SignetError, textProblem } from '@signet/contracts';
import { baselineNames, controlCharacterCsr, fuzzCases, fuzzKeys, fuzzSeed, mutateCsr, mutateCsrText, Prng, rawCsr, type FuzzedCsr, type FuzzKeys } from '@signet/testing';
import { parseCsr } from './csr';
import { decodeRequestText } from './pem';

/*
 * The CSR parser against thousands of mutated requests (ADR 0022): bit
 * flips, tag swaps, truncation, corrupted lengths, spliced bytes — half of
 * them signed again so they get past the signature to the name decoders —
 * control characters put into names, and mangled PEM. Every request must
 * end as a parsed request without a control character in any name, or as
 * one of the client's error codes: never another exception.
 *
 * Repeatable: SIGNET_FUZZ_SEED repeats a run, SIGNET_FUZZ_CASES makes it
 * longer (`npm run fuzz`). A failure prints the seed and the inputs.
 */

const SEED = fuzzSeed(0x5197e7);
const CASES = fuzzCases(2_000);
const CLIENT_ERRORS: ReadonlySet<string> = new Set([ErrorCode.MalformedRequest, ErrorCode.BadSignature, ErrorCode.TooLarge]);

interface Case extends FuzzedCsr {
  text?: string;
}

function nextCase(prng: Prng, keys: FuzzKeys): Case {
  const kind = prng.int(10);
  if (kind < 3) return controlCharacterCsr(prng, keys);
  if (kind < 8) return mutateCsr(prng, keys);
  if (kind < 9) {
    const { subject, sans } = baselineNames(prng);
    const base = rawCsr(keys.ed25519, subject, sans);
    const { text, kind: what } = mutateCsrText(prng, base);
    return { der: base, text, kind: what };
  }
  return { der: prng.bytes(prng.between(0, 512)), kind: 'random bytes' };
}

/** What is wrong with the outcome of one case, or undefined. */
async function judge(c: Case): Promise<string | undefined> {
  let parsed;
  try {
    parsed = await parseCsr(c.text === undefined ? c.der : decodeRequestText(c.text));
  } catch (e) {
    if (!(e instanceof SignetError)) return `threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
    if (!CLIENT_ERRORS.has(e.code)) return `refused with ${e.code}: ${e.message}`;
    if (textProblem(e.message)) return `the message carries a control character: ${JSON.stringify(e.message)}`;
    if (c.refusedField && (e.code !== ErrorCode.MalformedRequest || e.details?.field !== c.refusedField)) {
      return `expected MALFORMED_REQUEST naming ${c.refusedField}, got ${e.code} ${JSON.stringify(e.details)}: ${e.message}`;
    }
    return undefined;
  }
  if (c.refusedField) return `accepted although ${c.refusedField} holds a control character`;
  const names = [...parsed.subject.map((r) => r.value), ...parsed.subjectAltNames.map((s) => s.value)];
  const bad = names.find((n) => textProblem(n));
  return bad === undefined ? undefined : `accepted a name that ${textProblem(bad)}`;
}

it(`parses ${CASES} mutated requests without an unexpected error (seed ${SEED})`, async () => {
  const prng = new Prng(SEED);
  const keys = fuzzKeys(prng);
  const failures: string[] = [];
  let failed = 0;
  for (let i = 0; i < CASES; i++) {
    const c = nextCase(prng.fork(), keys);
    const problem = await judge(c);
    if (!problem) continue;
    failed++;
    if (failures.length < 20) failures.push(`case ${i} (${c.kind}): ${problem}\n  input: ${c.text !== undefined ? JSON.stringify(c.text) : c.der.toString('base64')}`);
  }
  if (failed > 0) throw new Error(`fuzz seed ${SEED} (SIGNET_FUZZ_SEED=${SEED} repeats it): ${failed} of ${CASES} failed; the first ${failures.length}:\n${failures.join('\n')}`);
}, 600_000);
