/*
 * Benchmark (not part of the test suite): ca-core's CPU per certificate in
 * step 4 of docs/ISSUANCE.md and the request parse before it (ADR 0038).
 * In this one process, one certificate at a time (each awaited, so one
 * core's worth of work; the npm script pins the process to one CPU with
 * taskset), for each of BENCH_SIGN_CAS:
 *
 *   parse + verify the CSR → the extension list ca-core builds (SKI of the
 *   request key, AKI, CDP and AIA, the template's key usages, the request's
 *   SANs) → build + lint the TBSCertificate → sign → verify the signature
 *
 * by two paths: `reference`, the path before ADR 0038 (libs/x509's
 * src/testing: the CA certificate parsed and the CA key object made per
 * certificate, asn1js trees for every structure, the request read through
 * asn1js and pkijs), and `prepared`, the production path (a PreparedIssuer
 * made once, the TBS written from prepared DER parts, the direct CSR
 * reader). Both share lint's rules and today's extension decoders and the
 * extension encoders ca-core calls, so the ratio understates the change
 * a little. Every request is a distinct P-256 key and name, as at the front
 * door. Rounds alternate the paths, so load from elsewhere on the machine
 * falls on both; the report is per path the median of the rounds:
 * certificates per second (wall) and CPU microseconds per certificate
 * (process.cpuUsage, user + system, which includes libuv's signing threads),
 * and prepared/reference as ratios from the same run.
 *
 * Run:   npm run bench:sign   (builds contracts and x509, compiles this file with
 *        bench/tsconfig.sign.json, runs it under `taskset -c 0` in plain Node:
 *        not under Jest, whose sandbox sends asn1js's typed-array checks down
 *        slow cross-realm paths and would inflate the reference path)
 * Knobs: BENCH_SIGN_N (certificates per path and round, default 2000),
 *        BENCH_SIGN_ROUNDS (3), BENCH_SIGN_CAS (ecdsa-p256,ecdsa-p384,rsa-2048),
 *        BENCH_SIGN_PROFILE=1: also a CPU profile of one more round per path
 *        (node:inspector, the measured loop only), written to
 *        bench/results/sign-<ca>-<path>.cpuprofile, with the top self-time
 *        functions printed.
 * Writes bench/results/sign-<date>.json; docs/benchmarks.md is left alone.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { San } from '@signet/contracts';
import {
  createCsr,
  createSelfSignedCa,
  createSigner,
  encodeAuthorityInfoAccess,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeCrlDistributionPoints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeSubjectAltName,
  encodeSubjectKeyIdentifier,
  generateKeyPair,
  issueCertificate,
  OID,
  parseCsr,
  prepareCertificate,
  prepareIssuer,
  randomSerialHex,
  subjectKeyIdentifier,
  type CaKeyAlgorithm,
  type ParsedCsr,
  type RawExtension,
} from '@signet/x509';
import type * as Reference from '@signet/x509/testing';

// Compiled to dist/bench/bench/: the repository is three levels up.
const ROOT = join(__dirname, '..', '..', '..');
const N = Number(process.env.BENCH_SIGN_N ?? 2000);
const ROUNDS = Number(process.env.BENCH_SIGN_ROUNDS ?? 3);
const CAS = (process.env.BENCH_SIGN_CAS ?? 'ecdsa-p256,ecdsa-p384,rsa-2048').split(',') as CaKeyAlgorithm[];
const PROFILE = process.env.BENCH_SIGN_PROFILE === '1';
const DISTINCT_REQUESTS = 500;
const DAY = 86_400_000;

type Issue = (i: number) => Promise<Buffer>;

interface Setup {
  reference: Issue;
  prepared: Issue;
}

/** The reference path, compiled from libs/x509/src/testing next to this file (it is not part of the library's build). */
async function reference(): Promise<typeof Reference> {
  return (await import(join(__dirname, '..', 'libs', 'x509', 'src', 'testing', 'index.js'))) as typeof Reference;
}

async function setup(alg: CaKeyAlgorithm): Promise<Setup> {
  const { referenceIssue, referenceParseCsr, referencePrepare } = await reference();
  const { privateKey, publicKey } = generateKeyPair(alg);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const caDer = await createSelfSignedCa({
    subject: [{ type: 'C', value: 'DE' }, { type: 'O', value: 'Signet Bench' }, { type: 'CN', value: `Bench CA ${alg}` }],
    privateKey,
    publicKey,
    notBefore: now,
    notAfter: new Date(now.getTime() + 3650 * DAY),
  });
  const signer = createSigner(privateKey);
  const csrs: Buffer[] = [];
  for (let i = 0; i < DISTINCT_REQUESTS; i++) {
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const host = `host-${i}.bench.example.com`;
    csrs.push(await createCsr({ subject: [{ type: 'O', value: 'Example' }, { type: 'CN', value: host }], sans: [{ type: 'dns', value: host }, { type: 'dns', value: `www.${host}` }], privateKey: k.privateKey }));
  }
  // What the CA's configuration and the WebServer template fix for every certificate (ca-core computes these once too).
  const fixed: RawExtension[] = [
    { oid: OID.crlDistributionPoints, critical: false, value: encodeCrlDistributionPoints(['http://ca.example.com/crl/bench.crl']) },
    { oid: OID.authorityInfoAccess, critical: false, value: encodeAuthorityInfoAccess({ ocsp: ['http://ca.example.com/ocsp'], caIssuers: ['http://ca.example.com/ca.crt'] }) },
    { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
    { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
    { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth, OID.clientAuth]) },
  ];
  const spec = (csr: ParsedCsr, aki: RawExtension) => ({
    serialHex: randomSerialHex(),
    subject: csr.subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + 90 * DAY),
    spki: csr.spki,
    extensions: [
      { oid: OID.subjectKeyIdentifier, critical: false, value: encodeSubjectKeyIdentifier(subjectKeyIdentifier(csr.spki)) },
      aki,
      ...fixed,
      { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName(csr.subjectAltNames as San[]) },
    ],
  });
  const caKeyId = subjectKeyIdentifier(signer.spki);
  const issuer = prepareIssuer({ certificateDer: caDer, signer });
  return {
    reference: async (i) => {
      const csr = await referenceParseCsr(csrs[i % csrs.length]!);
      const aki = { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(caKeyId) };
      return referenceIssue(referencePrepare(spec(csr, aki), { certificateDer: caDer, signer }));
    },
    prepared: async (i) => {
      const csr = await parseCsr(csrs[i % csrs.length]!);
      return issueCertificate(prepareCertificate(spec(csr, issuer.authorityKeyIdentifier), issuer, { keyInfo: csr.publicKey }));
    },
  };
}

interface Sample {
  perSecond: number;
  cpuMicros: number;
}

/** A full collection before each measured run (node --expose-gc), so no run pays for the garbage of the one before it. */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function measure(issue: Issue, n: number): Promise<Sample> {
  collect();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await issue(i);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: Math.round((n / wallMs) * 1000), cpuMicros: Math.round((cpu.user + cpu.system) / n) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * The functions with the most self time in a profile, idle time and the
 * profiler's own stop (node:inspector) left out. Under taskset one core
 * runs libuv's signing thread too; its time shows as the self time of the
 * crypto job's native `run`.
 */
function topSelf(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, count: number): { percent: number; fn: string }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const excluded = new Set<number>();
  const exclude = (n: ProfileNode) => {
    excluded.add(n.id);
    for (const c of n.children ?? []) exclude(byId.get(c)!);
  };
  for (const n of profile.nodes) if (n.callFrame.url === 'node:inspector') exclude(n);
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)' || excluded.has(id)) return;
    const dt = profile.timeDeltas[i] ?? 0;
    const where = n.callFrame.url ? ` ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${n.callFrame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, t]) => ({ percent: Math.round((1000 * t) / total) / 10, fn }));
}

async function profiled(issue: Issue, n: number, file: string): Promise<{ percent: number; fn: string }[]> {
  collect();
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) => new Promise<T>((res, rej) => session.post(method, params ?? {}, (e, r) => (e ? rej(e) : res(r as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  for (let i = 0; i < n; i++) await issue(i);
  const { profile } = await post<{ profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } }>('Profiler.stop');
  session.disconnect();
  writeFileSync(file, JSON.stringify(profile));
  return topSelf(profile, 15);
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  for (const alg of CAS) {
    const s = await setup(alg);
    // Warm-up: both paths, every request once.
    await measure(s.reference, DISTINCT_REQUESTS);
    await measure(s.prepared, DISTINCT_REQUESTS);
    const rounds: Record<'reference' | 'prepared', Sample[]> = { reference: [], prepared: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 ? (['prepared', 'reference'] as const) : (['reference', 'prepared'] as const);
      for (const path of order) rounds[path].push(await measure(s[path], N));
    }
    const summary = (path: 'reference' | 'prepared') => ({ perSecond: median(rounds[path].map((x) => x.perSecond)), cpuMicros: median(rounds[path].map((x) => x.cpuMicros)), rounds: rounds[path] });
    const ref = summary('reference');
    const prep = summary('prepared');
    const entry: Record<string, unknown> = {
      reference: ref,
      prepared: prep,
      speedup: Math.round((prep.perSecond / ref.perSecond) * 100) / 100,
      cpuRatio: Math.round((prep.cpuMicros / ref.cpuMicros) * 1000) / 1000,
    };
    process.stdout.write(
      `CA ${alg}: reference ${ref.perSecond}/s, ${ref.cpuMicros} µs CPU/cert; prepared ${prep.perSecond}/s, ${prep.cpuMicros} µs CPU/cert; ` +
        `×${entry.speedup} throughput, CPU ×${entry.cpuRatio}\n`,
    );
    if (PROFILE) {
      for (const path of ['reference', 'prepared'] as const) {
        const top = await profiled(s[path], N, join(dir, `sign-${alg}-${path}.cpuprofile`));
        entry[`${path}Profile`] = top;
        process.stdout.write(`  top self time, ${path}:\n${top.map((t) => `    ${t.percent.toFixed(1).padStart(5)} %  ${t.fn}`).join('\n')}\n`);
      }
    }
    results[alg] = entry;
  }
  const file = join(dir, `sign-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  writeFileSync(file, `${JSON.stringify({ when: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() }, node: process.version, n: N, rounds: ROUNDS, results }, null, 2)}\n`);
  process.stdout.write(`written ${file}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
