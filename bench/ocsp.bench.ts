import { BusClient } from '@signet/bus';
import { Commands } from '@signet/contracts';
import { fromPem, issuerHashes, OID } from '@signet/x509';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
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
  percentile,
  Service,
  until,
  writeResult,
} from './revocation-support';

/**
 * Benchmark (not part of the test suite): OCSP answers from the
 * intermediary's cache. ca-core and the intermediary run from dist/ on the
 * real bus; CERTS certificates are seeded (10 % revoked); one GET per
 * distinct request warms the cache (each answer signed by ca-core and
 * checked: successful); then a keep-alive Node client with CONCURRENCY
 * requests in flight asks RFC 5019 GETs round-robin for DURATION seconds on
 * loopback. Reports responses/s and latency percentiles, and how many
 * requests reached ca-core during the run (a tap on its OCSP subject).
 *
 * Run (real NATS and PostgreSQL):
 *   npx nx run-many -t build && npx tsc -p bench/tsconfig.revocation.json && node dist/bench/bench/ocsp.bench.js [--duration 20] [--concurrency 16] [--certs 1000]
 * Writes bench/results/ocsp.json. Acceptance: at least 5,000 responses/s with p99 under 20 ms.
 */

const DURATION_S = option('duration', 20);
const CONCURRENCY = option('concurrency', 16);
const CERTS = option('certs', 1000);
const CA = 'bench-ocsp';
const DB = 'signet_bench_ocsp';

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));

/** An RFC 5019 request: one SHA-1 CertID, no nonce (what browsers send by GET). */
function ocspRequest(nameHash: Buffer, keyHash: Buffer, serialHex: string): Buffer {
  const sha1 = seq(Buffer.from('06052b0e03021a', 'hex'), Buffer.from('0500', 'hex'));
  const certId = seq(sha1, tlv(0x04, nameHash), tlv(0x04, keyHash), tlv(0x02, Buffer.from(serialHex, 'hex')));
  return seq(seq(seq(seq(certId))));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function get(agent: Agent, port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const round = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const pg = await freshDatabase(DB);
  const nc = await connectNats();
  const bus = new BusClient(nc, 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-ocsp-'));
  const passFile = join(dir, 'pass');
  writeFileSync(passFile, BENCH_PASSPHRASE, { mode: 0o600 });
  const port = await freePort();
  const env = {
    SIGNET_CA_NAME: CA,
    SIGNET_DEFAULT_CA: CA,
    SIGNET_DATABASE_URL: databaseUrl(DB),
    SIGNET_NATS_URL: NATS_URL,
    SIGNET_CA_KEY_PASSPHRASE_FILE: passFile,
    SIGNET_CRL_PERIOD_HOURS: '0',
    SIGNET_HTTP_HOST: '127.0.0.1',
    SIGNET_HTTP_PORT: String(port),
    SIGNET_OCSP_CACHE_TTL_SECONDS: '3600',
  };
  const core = new Service('ca-core', env);
  let edge: Service | undefined;
  try {
    await until('ca-core', async () => (await bus.call(Commands.caProperties, CA, { names: ['CAName'] }, { timeoutMs: 1_000 })).properties.CAName).catch((e) => {
      throw new Error(`${(e as Error).message}\n${core.log()}`);
    });
    edge = new Service('intermediary', env);
    await until('the intermediary', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok).catch((e) => {
      throw new Error(`${(e as Error).message}\n${edge!.log()}`);
    });

    log(`seeding ${CERTS} certificates`);
    await pg.query(`SET session_replication_role = replica`).catch(() => undefined);
    const serial = `((1 + i % 7)::text || substr(md5(i::text), 1, 31))`;
    await pg.query(`INSERT INTO request (id, ca_name, disposition, raw_request, request_sha256, requester_name) SELECT i, $1, 'issued', '\\x3000'::bytea, md5(i::text), 'bench' FROM generate_series(1, $2::bigint) i`, [CA, CERTS]);
    await pg.query(`INSERT INTO serial_reservation (ca_name, serial, request_id) SELECT $1, ${serial}, i FROM generate_series(1, $2::bigint) i`, [CA, CERTS]);
    await pg.query(
      `INSERT INTO certificate (ca_name, serial, request_id, der, sha256, subject, not_before, not_after, revoked_at, revoked_effective_at, revoked_reason)
       SELECT $1, ${serial}, i, '\\x3000'::bytea, md5(i::text), 'CN=host-' || i, now() - interval '1 day', now() + interval '90 days',
              CASE WHEN i % 10 = 0 THEN now() - interval '1 hour' END, CASE WHEN i % 10 = 0 THEN now() - interval '1 hour' END, CASE WHEN i % 10 = 0 THEN 1 END
       FROM generate_series(1, $2::bigint) i`,
      [CA, CERTS],
    );
    await pg.query(`SET session_replication_role = DEFAULT`).catch(() => undefined);
    const serials: string[] = (await pg.query(`SELECT serial FROM certificate WHERE ca_name = $1 ORDER BY serial`, [CA])).rows.map((r) => r.serial);

    const caPem = (await bus.call(Commands.caCertificate, CA, { chain: false })).certificate;
    const h = issuerHashes(fromPem(caPem, 'CERTIFICATE')).get(OID.sha1)!;
    const paths = serials.map((s) => `/ocsp/${CA}/${encodeURIComponent(ocspRequest(h.nameHash, h.keyHash, s).toString('base64'))}`);

    // The requests are right: openssl judges the answers to a good and a revoked certificate.
    const caPath = join(dir, 'ca.pem');
    writeFileSync(caPath, caPem);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const revoked = new Set((await pg.query(`SELECT serial FROM certificate WHERE ca_name = $1 AND revoked_at IS NOT NULL`, [CA])).rows.map((r) => r.serial as string));
    const samples: Array<[number, RegExp]> = [
      [serials.findIndex((s) => !revoked.has(s)), /Cert Status: good/],
      [serials.findIndex((s) => revoked.has(s)), /Cert Status: revoked\s*\n\s*Revocation Time: .*\n\s*Revocation Reason: keyCompromise/],
    ];
    for (const [i, expected] of samples) {
      const reqPath = join(dir, `r${i}.der`);
      const respPath = join(dir, `r${i}.resp`);
      writeFileSync(reqPath, Buffer.from(decodeURIComponent(paths[i].split('/').pop()!), 'base64'));
      writeFileSync(respPath, (await get(agent, port, paths[i])).body);
      const out = spawnSync('openssl', ['ocsp', '-reqin', reqPath, '-respin', respPath, '-CAfile', caPath, '-verify_other', caPath, '-resp_text'], { encoding: 'utf8' });
      if (!/Response verify OK/.test(out.stdout + out.stderr) || !expected.test(out.stdout)) throw new Error(`openssl does not accept the answer:\n${out.stdout}${out.stderr}`);
    }

    log(`warming the cache with ${paths.length} requests`);
    for (const p of paths) {
      const r = await get(agent, port, p);
      // OCSPResponse, responseStatus successful: 30 82 .. .. 0a 01 00
      if (r.status !== 200 || r.body[4] !== 0x0a || r.body[6] !== 0x00) throw new Error(`warm-up answer for ${p} is not a successful OCSP response`);
    }

    // A tap on ca-core's OCSP subject: every request that misses the cache shows up here.
    let reachedCore = 0;
    const tap = nc.subscribe(Commands.ocspRespond.subject(CA), { callback: () => {
        reachedCore++;
      } });
    await nc.flush();

    log(`load: ${CONCURRENCY} in flight for ${DURATION_S} s`);
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const end = Date.now() + DURATION_S * 1000;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < end) {
          const p = paths[next++ % paths.length];
          const t = process.hrtime.bigint();
          try {
            const r = await get(agent, port, p);
            if (r.status !== 200 || r.body.length < 100) errors++;
          } catch {
            errors++;
          }
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    tap.unsubscribe();
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const perSecond = latencies.length / seconds;
    const mem = edge.memory();
    const lat = { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1]) };
    log(`  ${latencies.length} responses in ${seconds.toFixed(1)} s = ${perSecond.toFixed(0)}/s; p50 ${lat.p50} ms, p99 ${lat.p99} ms; ${errors} errors; ${reachedCore} reached ca-core`);

    const result = {
      benchmark: 'OCSP GET (RFC 5019) answered from the intermediary cache, keep-alive Node client on loopback',
      date: new Date().toISOString(),
      machine: await machine(pg),
      settings: { durationSeconds: DURATION_S, concurrency: CONCURRENCY, distinctRequests: paths.length, loadGenerator: 'node:http keep-alive client in one process on the same machine' },
      responses: latencies.length,
      seconds: round(seconds),
      perSecond: Math.round(perSecond),
      latencyMs: lat,
      errors,
      requestsThatReachedCaCore: reachedCore,
      intermediaryPeakRssMiB: mem.peakMiB,
      acceptance: { atLeast5000PerSecond: perSecond >= 5000, p99Under20ms: lat.p99 < 20 },
    };
    log(`written ${writeResult('ocsp', result)}`);
    if (!result.acceptance.atLeast5000PerSecond || !result.acceptance.p99Under20ms || errors > 0) process.exitCode = 1;
  } finally {
    await edge?.stop();
    await core.stop();
    await nc.close();
    await pg.end();
    await dropDatabase(DB);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  log(`ocsp.bench failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
