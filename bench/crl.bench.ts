import { BusClient } from '@signet/bus';
import { BenchAdmin } from './admin-signer';
import { Commands } from '@signet/contracts';
import { CrlBuilder, createSelfSignedCa, createSigner, generateKeyPair } from '@signet/x509';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_PASSPHRASE,
  connectNats,
  databaseUrl,
  dropDatabase,
  freshDatabase,
  log,
  machine,
  NATS_URL,
  option,
  Service,
  until,
  writeResult,
} from './revocation-support';

/**
 * Benchmark (not part of the test suite): a base CRL with a million
 * revoked certificates.
 *
 *  1. library: CrlBuilder alone, N synthetic entries, in this process
 *     (time, and this process's peak RSS);
 *  2. ca-core end to end: N revoked certificates seeded into a fresh
 *     database, ca-core started from dist/, `ca.<ca>.admin.crl.publish`
 *     over the real bus: read every revoked row (keyset pages), encode,
 *     sign, store, event — timed from request to reply, with ca-core's
 *     peak RSS (VmHWM) read from /proc;
 *  3. distribution: the CRL fetched back in slices as the intermediary does
 *     (`ca.<ca>.crl.fetch`), its SHA-256 checked, its signature verified by
 *     `openssl crl` and its entries counted.
 *
 * Run (real NATS and PostgreSQL, as for the e2e tests):
 *   npx nx run-many -t build && npx tsc -p bench/tsconfig.revocation.json && node dist/bench/bench/crl.bench.js [--entries 1000000]
 * Writes bench/results/crl.json. Acceptance: under 30 s and 1 GiB for 1,000,000 entries.
 */

const ENTRIES = option('entries', 1_000_000);
const CA = 'bench-crl';
const DB = 'signet_bench_crl';

async function library(): Promise<Record<string, number>> {
  const { privateKey, publicKey } = generateKeyPair('ecdsa-p256');
  const now = new Date();
  const caDer = await createSelfSignedCa({ subject: [{ type: 'CN', value: 'Bench CA' }], privateKey, publicKey, notBefore: now, notAfter: new Date(now.getTime() + 86_400_000 * 365) });
  const rssBefore = process.resourceUsage().maxRSS;
  const t = process.hrtime.bigint();
  const b = new CrlBuilder({ issuerCertificateDer: caDer, signer: createSigner(privateKey), crlNumber: 1, thisUpdate: now, nextUpdate: new Date(now.getTime() + 86_400_000) });
  const serial = randomBytes(16);
  for (let i = 0; i < ENTRIES; i++) {
    serial.writeUInt32BE(i, 12);
    serial[0] = 0x10 | (i & 0x0f);
    b.add({ serialHex: serial.toString('hex'), revocationDate: now, reason: i % 5 === 0 ? 0 : 1 + (i % 5) });
  }
  const der = await b.finish();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  return { entries: ENTRIES, seconds: round(seconds), bytes: der.length, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), peakRssBeforeMiB: Math.round(rssBefore / 1024) };
}

const round = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  log(`library: building a CRL with ${ENTRIES} entries`);
  const lib = await library();
  log(`  ${lib.seconds} s, ${lib.bytes} bytes, peak RSS of this process ${lib.peakRssMiB} MiB`);

  const pg = await freshDatabase(DB);
  const nc = await connectNats();
  const bus = new BusClient(nc, 120_000);
  const admin = new BenchAdmin({});
  const passFile = join(mkdtempSync(join(tmpdir(), 'signet-bench-')), 'pass');
  writeFileSync(passFile, BENCH_PASSPHRASE, { mode: 0o600 });
  const core = new Service('ca-core', {
    ...admin.caCoreEnv(),
    SIGNET_CA_NAME: CA,
    SIGNET_DATABASE_URL: databaseUrl(DB),
    SIGNET_NATS_URL: NATS_URL,
    SIGNET_CA_KEY_PASSPHRASE_FILE: passFile,
    SIGNET_CRL_PERIOD_HOURS: '0',
    SIGNET_CRL_URL: 'http://127.0.0.1/crl/bench-crl.crl',
  });
  try {
    await until('ca-core', async () => (await bus.call(Commands.caProperties, CA, { names: ['CAName'] }, { timeoutMs: 1_000 })).properties.CAName, 60_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${core.log()}`);
    });

    log(`seeding ${ENTRIES} revoked certificates`);
    const seeded = Date.now();
    await pg.query(`SET synchronous_commit = off`);
    // Rows satisfy the foreign keys by construction; a superuser skips checking them one by one.
    await pg.query(`SET session_replication_role = replica`).catch(() => undefined);
    const serial = `((1 + i % 7)::text || substr(md5(i::text), 1, 31))`;
    await pg.query(
      `INSERT INTO request (id, ca_name, disposition, raw_request, request_sha256, requester_name, subject, submitted_at, resolved_at)
       SELECT i, $1, 'revoked', '\\x3000'::bytea, md5(i::text), 'bench', 'CN=host-' || i, now() - interval '30 days', now() - interval '30 days'
       FROM generate_series(1, $2::bigint) i`,
      [CA, ENTRIES],
    );
    await pg.query(`INSERT INTO serial_reservation (ca_name, serial, request_id) SELECT $1, ${serial}, i FROM generate_series(1, $2::bigint) i`, [CA, ENTRIES]);
    // Reasons as revocations usually are: mostly superseded / cessation / keyCompromise, a few unspecified, 1 % on hold.
    await pg.query(
      `INSERT INTO certificate (ca_name, serial, request_id, der, sha256, subject, not_before, not_after, revoked_at, revoked_effective_at, revoked_reason, invalidity_date)
       SELECT $1, ${serial}, i, '\\x3000'::bytea, md5(i::text), 'CN=host-' || i, now() - interval '30 days', now() + interval '335 days',
              now() - make_interval(secs => i % 86400), now() - make_interval(secs => i % 86400),
              CASE WHEN i % 100 = 0 THEN 6 ELSE (ARRAY[4, 5, 1, 4, 5, 0, 3, 4, 5, 1])[1 + i % 10] END,
              CASE WHEN i % 10 IN (2, 9) THEN now() - interval '40 days' END
       FROM generate_series(1, $2::bigint) i`,
      [CA, ENTRIES],
    );
    await pg.query(`SET session_replication_role = DEFAULT`).catch(() => undefined);
    await pg.query(`SELECT setval('request_id_seq', $1)`, [ENTRIES]);
    await pg.query(`VACUUM (ANALYZE) certificate, request, serial_reservation`);
    log(`  seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    const before = core.memory();
    log(`ca-core: publishing a base CRL (RSS before ${before.currentMiB} MiB)`);
    const t = process.hrtime.bigint();
    const reply = await admin.call(bus, Commands.adminPublishCrl, CA, { name: 'bench', roles: ['ca-admin'] }, {}, { timeoutMs: 300_000 });
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const after = core.memory();
    log(`  CRL ${reply.crlNumber}: ${reply.entries} entries in ${seconds.toFixed(2)} s; ca-core peak RSS ${after.peakMiB} MiB`);

    log('distribution: fetching it back in slices');
    const f = process.hrtime.bigint();
    const first = await bus.call(Commands.crlFetch, CA, {});
    const parts = [Buffer.from(first.chunk, 'base64')];
    let got = parts[0].length;
    while (got < first.size) {
      const next = await bus.call(Commands.crlFetch, CA, { number: first.number, offset: got });
      parts.push(Buffer.from(next.chunk, 'base64'));
      got += parts[parts.length - 1].length;
    }
    const der = Buffer.concat(parts);
    const fetchSeconds = Number(process.hrtime.bigint() - f) / 1e9;
    if (createHash('sha256').update(der).digest('hex') !== first.sha256) throw new Error('fetched CRL does not match its SHA-256');

    const dir = mkdtempSync(join(tmpdir(), 'signet-bench-crl-'));
    const crlPath = join(dir, 'base.crl');
    const caPath = join(dir, 'ca.pem');
    writeFileSync(crlPath, der);
    writeFileSync(caPath, (await bus.call(Commands.caCertificate, CA, { chain: false })).certificate);
    const verified = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', crlPath, '-noout', '-CAfile', caPath], { encoding: 'utf8' });
    const counted = spawnSync('sh', ['-c', `openssl crl -inform DER -in '${crlPath}' -noout -text | grep -c 'Serial Number:'`], { encoding: 'utf8', maxBuffer: 1 << 20 });
    rmSync(dir, { recursive: true, force: true });
    const opensslOk = /verify OK/.test(verified.stdout + verified.stderr);
    const listed = Number(counted.stdout.trim());
    log(`  ${der.length} bytes in ${fetchSeconds.toFixed(2)} s; openssl: ${opensslOk ? 'verify OK' : 'FAILED'}, ${listed} entries`);

    const result = {
      benchmark: 'base CRL with revoked certificates: library build, ca-core publish (DB read + encode + sign + store), fetch in slices',
      date: new Date().toISOString(),
      machine: await machine(pg),
      entries: ENTRIES,
      library: lib,
      caCore: {
        seconds: round(seconds),
        crlNumber: reply.crlNumber,
        entries: reply.entries,
        bytes: der.length,
        rssBeforeMiB: before.currentMiB,
        peakRssMiB: after.peakMiB,
      },
      fetch: { seconds: round(fetchSeconds), slices: parts.length },
      openssl: { verifyOk: opensslOk, entriesListed: listed },
      acceptance: { underThirtySeconds: seconds < 30, underOneGiB: after.peakMiB < 1024, allEntriesListed: listed === ENTRIES && reply.entries === ENTRIES },
    };
    log(`written ${writeResult('crl', result)}`);
    if (!result.acceptance.underThirtySeconds || !result.acceptance.underOneGiB || !result.acceptance.allEntriesListed || !opensslOk) process.exitCode = 1;
  } finally {
    await core.stop();
    await nc.close();
    await pg.end();
    await dropDatabase(DB);
  }
}

main().catch((e) => {
  log(`crl.bench failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
