import { jetstream } from '@nats-io/jetstream';
import { Commands, EXIT_EVENT_BIT, EXIT_EVENTS, eventsInMask, maskOf, type ExitEvent } from '@signet/contracts';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { callAsAdminApi } from './support/bus';
import { signetCli } from './support/cli';
import { opensslCsr } from './support/openssl';
import { ROOT, waitFor } from './support/processes';
import { SmtpSink } from '@signet/testing';
import { Stack } from './support/stack';
import { WebhookReceiver } from './support/webhook-receiver';
import { verifySignetWebhook } from '../examples/webhook-receiver/verify';

// AD CS steps 1, 7 and 8 with all five services on real NATS and PostgreSQL:
// exit modules register (and answer ca-core's roll call), get exactly the
// events of their masks durably, read back through ca-core, retry with
// backoff, end in a dead letter that can be replayed. Short backoffs here.

const stack = new Stack();
const secret = randomBytes(24).toString('hex');
const receiver = new WebhookReceiver(secret);
const smtp = new SmtpSink();
const published = join(stack.dir, 'published');

// Between them, every event the CA emits (a test below holds this to the contracts' list).
const MASKS: Record<string, ExitEvent[]> = {
  'hooks-a': ['certificate.issued', 'request.retrieved', 'ca.startup', 'crl.issued'],
  'hooks-b': ['request.pending', 'request.denied', 'ca.shutdown', 'certificate.revoked', 'certificate.imported'],
};

/*
 * The CA is one OpenSSL made, imported into ca-core (SIGNET_CA_CERT_FILE),
 * as an operator moving a CA to Signet would: so the test holds a
 * certificate that CA issued before Signet, to import (certificate.imported).
 */
const caDir = mkdtempSync(join(tmpdir(), 'signet-e2e-exit-ca-'));
const caFile = (name: string) => join(caDir, name);
/**
 * What the intermediary's OCSP responder says of a certificate in caDir, as
 * `openssl ocsp` prints it (response verified against the CA). Without a
 * nonce, as most relying parties ask, so the edge caches the answer.
 */
function ocspStatus(file: string): string {
  const r = spawnSync('openssl', ['ocsp', '-issuer', caFile('ca.pem'), '-cert', caFile(file), '-url', `${stack.baseUrl}/ocsp/${stack.ca}`, '-CAfile', caFile('ca.pem'), '-no_nonce'], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

function opensslCa(): void {
  const ossl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', caFile('ca.key'), '-passout', `pass:${stack.passphrase}`, '-out', caFile('ca.pem'),
    '-subj', `/O=Signet Tests/CN=Exit E2E CA ${stack.ca}`, '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  ossl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caFile('before.key'), '-subj', '/CN=before-signet.example.com', '-out', caFile('before.csr')]);
  writeFileSync(caFile('before.ext'), 'subjectAltName=DNS:before-signet.example.com\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  ossl(['x509', '-req', '-in', caFile('before.csr'), '-CA', caFile('ca.pem'), '-CAkey', caFile('ca.key'), '-passin', `pass:${stack.passphrase}`, '-set_serial', `0x${randomBytes(16).toString('hex').replace(/^./, '4')}`,
    '-days', '20', '-extfile', caFile('before.ext'), '-out', caFile('before.pem')]);
}

function exitConfig(): string {
  const hook = (name: string, path: string, events: ExitEvent[], extra: object = {}) => ({ name, type: 'webhook', events, url: receiver.url(path), secret: { env: 'E2E_HOOK_SECRET' }, ...extra });
  const file = join(stack.dir, 'exit-e2e.yaml');
  writeFileSync(
    file,
    stringify({
      defaults: { concurrency: 8, timeoutMs: 2000, retry: { attempts: 4, initialDelayMs: 400, multiplier: 2, maxDelayMs: 10_000, jitter: 0.1 } },
      modules: [
        { name: 'files', type: 'file', events: ['certificate.issued'], directory: published },
        hook('hooks-a', '/a', MASKS['hooks-a']),
        hook('hooks-b', '/b', MASKS['hooks-b']),
        hook('flaky', '/flaky', ['request.denied'], { delivery: { timeoutMs: 1000 } }),
        {
          name: 'mail',
          type: 'mail',
          events: ['certificate.issued'],
          smtp: { host: '127.0.0.1', port: smtp.port },
          from: 'Signet E2E <ca@e2e.test>',
          to: ['pki@e2e.test'],
          templates: { 'certificate.issued': { subject: '[{{ca}}] issued {{serial}} to {{requesterName}}', body: 'Serial {{serial}}, subject {{subject}}, request {{requestId}}.' } },
        },
      ],
    }),
  );
  return file;
}

// A certificate issued at once to this test's anonymous requester: localhost under the shipped Development
// template (WebServer holds anonymous requests for a certificate manager, ADR 0030).
const localhostCsr = opensslCsr({ subject: '/CN=localhost', sans: ['DNS:localhost'] });

async function issue(): Promise<{ requestId: number; serial: string; certificate: string; retrievalSecret: string }> {
  const res = await stack.submit({ csr: localhostCsr, attributes: { CertificateTemplate: 'Development' } });
  expect(res.status).toBe(201);
  return res.body;
}

async function moduleRows(): Promise<Array<{ name: string; event_mask: number; last_seen: Date }>> {
  return (await stack.db.query(`SELECT name, event_mask, last_seen FROM module_registration WHERE kind = 'exit' ORDER BY name`)).rows;
}

/** Operators' admin-api tokens, made with ca-core's bootstrap command. */
const tokens = { officer: '', caAdmin: '', auditor: '' };

beforeAll(async () => {
  await receiver.start();
  await smtp.start();
  opensslCa();
  await stack.start({ SIGNET_EXIT_CONFIG: exitConfig(), E2E_HOOK_SECRET: secret, SIGNET_CA_CERT_FILE: caFile('ca.pem'), SIGNET_CA_KEY_FILE: caFile('ca.key') });
  await waitFor('the five exit modules to register', async () => (await moduleRows()).length === 5, 30_000).catch((e: Error) => {
    throw new Error(`${e.message}\n--- exit-service\n${stack.service('exit-service').log().slice(-3000)}\n--- ca-core\n${stack.service('ca-core').log().slice(-3000)}`);
  });
  await stack.adminReady();
  tokens.officer = stack.token('e2e-officer', ['officer']).token;
  tokens.caAdmin = stack.token('e2e-ca-admin', ['ca-admin']).token;
  tokens.auditor = stack.token('e2e-auditor', ['auditor']).token;
}, 120_000);

afterAll(async () => {
  await stack.close();
  await receiver.stop();
  await smtp.stop();
  rmSync(caDir, { recursive: true, force: true });
}, 60_000);

describe('step 1: registration (ICertExit::Initialize)', () => {
  it('each module announced its name and mask; a restarted CA asks them again in its roll call', async () => {
    const before = await moduleRows();
    expect(before.map((r) => [r.name, r.event_mask])).toEqual([
      ['files', EXIT_EVENT_BIT['certificate.issued']],
      ['flaky', EXIT_EVENT_BIT['request.denied']],
      ['hooks-a', maskOf(MASKS['hooks-a'])],
      ['hooks-b', maskOf(MASKS['hooks-b'])],
      ['mail', EXIT_EVENT_BIT['certificate.issued']],
    ]);
    // The restart also produces ca.shutdown and ca.startup for the mask test below.
    await stack.service('ca-core').stop();
    await stack.service('ca-core').start();
    await stack.ready();
    await waitFor('the roll call to refresh every module', async () => {
      const after = await moduleRows();
      return after.length === 5 && after.every((r, i) => r.last_seen > before[i].last_seen);
    });
  });
});

describe('step 7: each module gets exactly the events of its mask, signed; step 8: read-back', () => {
  let issued: { requestId: number; serial: string; certificate: string; retrievalSecret: string };
  /** The request an officer approved after its submit: its enrollee's first retrieval is request.retrieved. */
  let approvedId: number;
  let imported: Awaited<ReturnType<typeof signetCli>>;
  let crlPublished: { crlNumber: number; entries: number };

  beforeAll(async () => {
    issued = await issue();
    const pending = await stack.submit({ csr: opensslCsr({ subject: '/CN=Release Signing/O=Example Corp' }), attributes: { CertificateTemplate: 'CodeSigning' } });
    expect(pending.status).toBe(202);
    approvedId = pending.body.requestId;
    const denied = await stack.submit({ csr: localhostCsr, attributes: { CertificateTemplate: 'NoSuchTemplate' } });
    expect(denied.status).toBe(400);
    // Reading a certificate handed out at submit writes nothing; AD CS's RetrievePending event is the enrollee's
    // first retrieval of one an officer approved later (twice here: one event).
    expect((await stack.retrieve(issued.requestId, issued.retrievalSecret)).status).toBe(200);
    const approved = await callAsAdminApi(stack, Commands.adminResubmit, { name: 'e2e-officer', roles: ['officer'] }, { requestId: approvedId });
    expect(approved.disposition).toBe('issued');
    for (let i = 0; i < 2; i++) expect((await stack.retrieve(approvedId, pending.body.retrievalSecret)).status).toBe(200);
    await callAsAdminApi(stack, Commands.adminRevoke, { name: 'e2e-officer', roles: ['officer'] }, { serial: issued.serial, reason: 4 });
    // An operator's two actions, through admin-api with the CLI: a CRL now, and the certificate the CA issued before Signet.
    const crl = await signetCli(stack, ['crl', 'publish', '--json'], tokens.caAdmin);
    expect({ code: crl.code, stderr: crl.stderr }).toEqual({ code: 0, stderr: '' });
    crlPublished = crl.json;
    // The CA's OCSP responder does not know the certificate from before Signet until it is imported (the answer is cached meanwhile).
    expect(ocspStatus('before.pem')).toMatch(/: unknown$/m);
    imported = await signetCli(stack, ['import', caFile('before.pem'), '--json'], tokens.officer);
    expect({ code: imported.code, stderr: imported.stderr }).toEqual({ code: 0, stderr: '' });
    expect(imported.json).toMatchObject({ disposition: 'issued', requestType: 'imported', request: null, subject: 'CN=before-signet.example.com', message: 'Imported by e2e-officer' });
    // Every event type, the events of the two operator actions themselves (the CA's own scheduled CRL came earlier),
    // and the approved certificate's issued event and mail (so none of it is still on its way when the durability test counts).
    await waitFor('every event type to reach its module', async () => {
      const types = (path: string) => new Set(receiver.on(path).map((d) => d.event));
      const bodies = (path: string) => receiver.on(path).map((d) => JSON.parse(d.rawBody));
      return (
        MASKS['hooks-a'].every((e) => types('/a').has(e)) &&
        MASKS['hooks-b'].every((e) => types('/b').has(e)) &&
        bodies('/a').some((e) => e.crl?.number === crlPublished.crlNumber) &&
        bodies('/b').some((e) => e.event === 'certificate.imported' && e.requestId === imported.json.requestId) &&
        bodies('/a').some((e) => e.event === 'certificate.issued' && e.requestId === approvedId) &&
        smtp.messages().some((m) => m.subject.includes(approved.serial!))
      );
    });
  });

  it('the imported certificate is the CA\'s now: OCSP answers good (the cached unknown was dropped on certificate.imported)', async () => {
    await waitFor('OCSP to answer good', async () => /: good$/m.test(ocspStatus('before.pem')), 10_000, 200);
  });

  it('the two masks cover every event type there is', () => {
    expect([...MASKS['hooks-a'], ...MASKS['hooks-b']].sort()).toEqual([...EXIT_EVENTS].sort());
  });

  it.each(Object.entries(MASKS).map(([m, ev]) => [m, ev] as const))('%s receives its events and no other', (module, events) => {
    const got = new Set(receiver.on(module === 'hooks-a' ? '/a' : '/b').map((d) => d.event));
    expect([...got].sort()).toEqual([...events].sort());
    expect(eventsInMask(maskOf(events))).toEqual(expect.arrayContaining(events));
    // and only this CA's: every event names it
    for (const d of receiver.on(module === 'hooks-a' ? '/a' : '/b')) expect(JSON.parse(d.rawBody).ca).toBe(stack.ca);
  });

  it('events carry the context: the issued and retrieved events name the request, the revoked one the serial', () => {
    const a = receiver.on('/a').map((d) => JSON.parse(d.rawBody));
    expect(a).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'certificate.issued', requestId: issued.requestId, serial: issued.serial, certificate: issued.certificate })]));
    // One retrieved event (delivered at least once): the first retrieval of the approved request, none for the one issued at submit.
    const retrieved = a.filter((e) => e.event === 'request.retrieved');
    expect([...new Set(retrieved.map((e) => e.id))]).toHaveLength(1);
    expect(retrieved[0]).toMatchObject({ requestId: approvedId, disposition: 'issued' });
    const b = receiver.on('/b').map((d) => JSON.parse(d.rawBody));
    expect(b).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'certificate.revoked', serial: issued.serial })]));
    // The imported certificate, byte for byte as the operator gave it; the CRL, by number.
    const beforeSignet = readFileSync(caFile('before.pem'), 'utf8');
    expect(b).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'certificate.imported', requestId: imported.json.requestId, serial: imported.json.certificate.serial, certificate: beforeSignet })]));
    expect(crlPublished.entries).toBe(1); // the revoked certificate above
    expect(a).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'crl.issued', crl: expect.objectContaining({ number: crlPublished.crlNumber, delta: false, entries: 1 }) })]));
  });

  it('the receiver verifies the HMAC of every delivery; a tampered body or a changed timestamp fails', async () => {
    expect(receiver.deliveries.length).toBeGreaterThan(0);
    expect(receiver.deliveries.filter((d) => !d.verified)).toEqual([]);
    const d = receiver.on('/a')[0];
    const tampered = d.rawBody.replace(stack.ca, `${stack.ca}x`);
    expect(verifySignetWebhook({ secret, rawBody: tampered, timestamp: d.timestamp, signature: d.signature })).toBe(false);
    expect(verifySignetWebhook({ secret, rawBody: d.rawBody, timestamp: String(Number(d.timestamp) + 1), signature: d.signature })).toBe(false);
    expect(verifySignetWebhook({ secret: `${secret}x`, rawBody: d.rawBody, timestamp: d.timestamp, signature: d.signature })).toBe(false);
  });

  it('the file publisher wrote the certificate byte-identical to what the client got, as PEM and DER', async () => {
    const pemFile = join(published, `${issued.serial}.pem`);
    await waitFor('the published files', async () => existsSync(pemFile) && existsSync(join(published, `${issued.serial}.der`)));
    expect(readFileSync(pemFile, 'utf8')).toBe(issued.certificate);
    const der = Buffer.from(issued.certificate.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    expect(readFileSync(join(published, `${issued.serial}.der`)).equals(der)).toBe(true);
  });

  it('the mail arrived at the SMTP server with the configured subject, the serial and the requester read back from the CA', async () => {
    const [{ requester_name: requester }] = (await stack.db.query(`SELECT requester_name FROM request WHERE id = $1`, [issued.requestId])).rows;
    const mail = await waitFor('the mail', async () => smtp.messages().find((m) => m.subject.includes(issued.serial)));
    expect(mail.subject).toBe(`[${stack.ca}] issued ${issued.serial} to ${requester}`);
    expect(mail.rcptTos).toEqual(['pki@e2e.test']);
    expect(mail.text).toContain(`Serial ${issued.serial}, subject CN=localhost, request ${issued.requestId}.`);
  });
});

describe('durability: exit-service down while 200 certificates are issued', () => {
  const ids = new Set<string>();
  let serials: string[] = [];

  it('delivers all 200 events after it starts again, each processed once', async () => {
    await stack.service('exit-service').stop();
    const before = new Set(receiver.on('/a').map((d) => d.eventId));
    const mailsBefore = smtp.messages().length;
    const results: Array<{ serial: string }> = [];
    for (let i = 0; i < 200; i += 10) results.push(...(await Promise.all(Array.from({ length: 10 }, () => issue()))));
    serials = results.map((r) => r.serial);
    expect(new Set(serials).size).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.on('/a').filter((d) => !before.has(d.eventId))).toEqual([]); // nobody was listening
    // Nobody to ask how far behind the modules are, either: admin-api says so at once.
    expect(await stack.admin('GET', '/api/v1/exit-modules', tokens.officer)).toMatchObject({ status: 503, body: { code: 'CA_UNAVAILABLE' } });

    stack.service('exit-service').start();
    await waitFor('all 200 issued events at the webhook, the files and the mail server', async () => {
      const issuedNow = receiver.on('/a').filter((d) => d.event === 'certificate.issued' && !before.has(d.eventId));
      for (const d of issuedNow) ids.add(d.eventId);
      return ids.size === 200 && serials.every((s) => existsSync(join(published, `${s}.der`))) && smtp.messages().length >= mailsBefore + 200;
    }, 60_000);
    expect(readdirSync(published).filter((f) => f.startsWith('.'))).toEqual([]); // no temporary files left
    // Caught up, as an operator sees it: nothing waiting or in delivery for the file publisher and the mail module.
    await waitFor('the status to show them caught up', async () => {
      const s = await signetCli(stack, ['exit-modules', '--json'], tokens.officer);
      const of = (name: string) => s.json?.modules.find((m: { name: string }) => m.name === name)?.events[0];
      return ['files', 'mail'].every((n) => of(n)?.event === 'certificate.issued' && of(n).pending === 0 && of(n).inFlight === 0 && of(n).lastDelivered !== null);
    }, 10_000, 200);
  }, 90_000);

  it('a redelivered event is processed once: the same files stay untouched, the receiver deduplicates by event id', async () => {
    const stats = new Map(serials.map((s) => [s, statSync(join(published, `${s}.pem`))]));
    const deliveriesBefore = receiver.on('/a').length;
    // 1. Duplicates as a publisher retry would make them (same event, new message id) for 10 events.
    const js = jetstream(stack.nc);
    const again = receiver.on('/a').filter((d) => ids.has(d.eventId)).slice(0, 10);
    for (const d of again) await js.publish(`ca.${stack.ca}.events.certificate.issued`, d.rawBody, { msgID: randomUUID() });
    await waitFor('the duplicates to be delivered', async () => receiver.on('/a').length >= deliveriesBefore + 10);
    // 2. A genuine JetStream redelivery: the receiver processes one new event but answers after the attempt timed out.
    receiver.behaviour.set('/a', { slowNext: 1 });
    const fresh = await issue();
    const twice = await waitFor('the fresh event delivered twice', async () => {
      const ds = receiver.on('/a').filter((d) => JSON.parse(d.rawBody).serial === fresh.serial);
      return ds.length >= 2 ? ds : undefined;
    }, 20_000);
    expect(new Set(twice.map((d) => d.eventId)).size).toBe(1);
    expect(twice[1].at - twice[0].at).toBeGreaterThanOrEqual(2_000); // the attempt's timeout, then the backoff
    expect(receiver.processedOn('/a', twice[0].eventId)).toBe(twice[0]);
    for (const d of again) expect(receiver.on('/a').filter((x) => x.eventId === d.eventId).length).toBe(2);
    expect(receiver.processedCount('/a', ids)).toBe(200);
    for (const [s, st] of stats) {
      const now = statSync(join(published, `${s}.pem`));
      expect([now.ino, now.mtimeMs]).toEqual([st.ino, st.mtimeMs]);
    }
  }, 60_000);
});

describe('a failing receiver: retries with growing delays, a dead letter, a replay', () => {
  it('retries with growing delays, then leaves a dead letter that a replay delivers once the receiver is back', async () => {
    receiver.behaviour.set('/flaky', { status: 503 });
    const before = receiver.on('/flaky').length;
    // Three denials while the receiver is down: three dead letters in the end.
    const [denied, ...others] = await Promise.all([1, 2, 3].map(() => stack.submit({ csr: localhostCsr, attributes: { CertificateTemplate: 'NoSuchTemplate' } })));
    expect([denied, ...others].map((d) => d.status)).toEqual([400, 400, 400]);
    // Dead letters as an operator sees them: through admin-api.
    const list = async () => {
      const r = await stack.admin('GET', '/api/v1/dead-letters?module=flaky&limit=10', tokens.officer);
      expect(r.status).toBe(200);
      return r.body.deadLetters as Array<{ id: string; module: string; event: string; eventId: string; requestId?: number; attempts: number; lastError: string }>;
    };
    const replay = (id: string) => stack.admin('POST', `/api/v1/dead-letters/${encodeURIComponent(id)}/replay`, tokens.caAdmin);
    await waitFor('the three dead letters', async () => (await list()).length === 3, 30_000);
    const dead = (await list()).find((d) => d.requestId === denied.body.requestId)!;
    const deadLettersOf = async (module: string) => (await stack.admin('GET', '/api/v1/exit-modules', tokens.officer)).body.modules.find((m: { name: string }) => m.name === module).deadLetters as number;
    expect(await deadLettersOf('flaky')).toBe(3);
    // 4 attempts; the waits between them grow (400, 800, 1600 ms, ±10 %).
    const attempts = receiver.on('/flaky').slice(before).filter((d) => JSON.parse(d.rawBody).requestId === denied.body.requestId);
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((d, i) => d.at - attempts[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(340);
    expect(gaps[1]).toBeGreaterThan(gaps[0] * 1.4);
    expect(gaps[2]).toBeGreaterThan(gaps[1] * 1.4);
    expect(dead).toMatchObject({ module: 'flaky', event: 'request.denied', eventId: attempts[0].eventId, attempts: 4, lastError: expect.stringContaining('answered 503') });
    expect(receiver.processedOn('/flaky', dead.eventId)).toBeUndefined();
    // Other modules were not held up: hooks-b got the same denied event at once.
    expect(receiver.on('/b').some((d) => d.eventId === dead.eventId)).toBe(true);

    // The same through the CLI, as an operator reads it.
    const listed = await signetCli(stack, ['dead-letter', 'list', '--module', 'flaky', '--json'], tokens.officer);
    expect(listed.code).toBe(0);
    expect(listed.json.deadLetters).toEqual(expect.arrayContaining([expect.objectContaining({ id: dead.id, event: 'request.denied', attempts: 4 })]));

    // Still failing: the replay says so and the dead letter stays. Replays are the CA administrator's.
    expect((await stack.admin('POST', `/api/v1/dead-letters/${encodeURIComponent(dead.id)}/replay`, tokens.officer)).status).toBe(403);
    const failed = await signetCli(stack, ['dead-letter', 'replay', dead.id, '--json'], tokens.caAdmin);
    expect({ code: failed.code, body: failed.json }).toMatchObject({ code: 1, body: { id: dead.id, replayed: false, result: expect.stringContaining('503') } });
    // Replaying them all stops at the first (the oldest) that fails again; nothing is lost.
    const oldest = (await list())[0];
    const stillDown = await signetCli(stack, ['dead-letter', 'replay-all', 'flaky', '--json'], tokens.caAdmin);
    expect({ code: stillDown.code, body: stillDown.json }).toEqual({ code: 1, body: { module: 'flaky', replayed: 0, failed: { id: oldest.id, result: expect.stringContaining('503') }, remaining: 3 } });

    receiver.behaviour.delete('/flaky');
    const ok = await replay(dead.id);
    expect(ok).toMatchObject({ status: 200, body: { ca: stack.ca, id: dead.id, replayed: true, result: 'delivered' } });
    expect(receiver.processedOn('/flaky', dead.eventId)).toBeDefined();
    expect((await list()).find((d) => d.id === dead.id)).toBeUndefined();
    expect(await deadLettersOf('flaky')).toBe(2);
    expect(await replay(dead.id)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect((await list()).map((d) => d.requestId).sort()).toEqual(others.map((d) => d.body.requestId).sort());
    // One the operator decides the module should never get: discarded, never delivered.
    const [dropped, kept] = await list();
    const discarded = await signetCli(stack, ['dead-letter', 'discard', dropped.id, '--json'], tokens.caAdmin);
    expect({ code: discarded.code, body: discarded.json }).toEqual({ code: 0, body: { ca: stack.ca, id: dropped.id, module: 'flaky', eventId: dropped.eventId, discarded: true } });
    expect((await signetCli(stack, ['dead-letter', 'discard', dropped.id], tokens.caAdmin)).code).toBe(5);
    // The receiver is back: the rest in one go.
    const rest = await signetCli(stack, ['dead-letter', 'replay-all', 'flaky', '--json'], tokens.caAdmin);
    expect({ code: rest.code, body: rest.json }).toEqual({ code: 0, body: { module: 'flaky', replayed: 1, failed: null, remaining: 0 } });
    expect(receiver.processedOn('/flaky', kept.eventId)).toBeDefined();
    expect(receiver.processedOn('/flaky', dropped.eventId)).toBeUndefined();
    expect(await deadLettersOf('flaky')).toBe(0);
    // Each of those administrator actions is in ca-core's chained audit log, with who did it.
    const audit = await signetCli(stack, ['audit', 'list', '--limit', '1000', '--json'], tokens.auditor);
    const done = audit.json.entries.filter((e: { action: string }) => e.action.startsWith('deadletter.')).map((e: { actor: string; action: string; details: object }) => [e.actor, e.action, e.details]);
    expect(done).toEqual([
      ['e2e-ca-admin', 'deadletter.replay', { id: dead.id }],
      ['e2e-ca-admin', 'deadletter.replay-all', { module: 'flaky', limit: 1000 }],
      ['e2e-ca-admin', 'deadletter.replay', { id: dead.id }],
      ['e2e-ca-admin', 'deadletter.replay', { id: dead.id }],
      ['e2e-ca-admin', 'deadletter.discard', { id: dropped.id }],
      ['e2e-ca-admin', 'deadletter.discard', { id: dropped.id }],
      ['e2e-ca-admin', 'deadletter.replay-all', { module: 'flaky', limit: 1000 }],
    ]);
    expect((await signetCli(stack, ['audit', 'verify', '--json'], tokens.auditor)).json).toMatchObject({ ok: true });
  }, 60_000);
});

describe('the example exit module (examples/exit-module)', () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill('SIGTERM'));

  it('registers with its mask, receives events durably and reads the requester back', async () => {
    const built = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'examples', 'exit-module', 'tsconfig.json')], { encoding: 'utf8' });
    expect(built.stdout + built.stderr).toBe('');
    let out = '';
    child = spawn(process.execPath, [join(ROOT, 'dist', 'examples', 'exit-module', 'exit-module.js')], {
      cwd: ROOT,
      env: { ...process.env, SIGNET_CA_NAME: stack.ca, SIGNET_NATS_URL: process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222', EXAMPLE_MODULE_NAME: 'example' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    await waitFor('the example to register', async () => (await moduleRows()).find((r) => r.name === 'example' && r.event_mask === maskOf(['certificate.issued', 'request.denied'])), 20_000);
    await waitFor('the example to bind its consumers', async () => out.includes('registered for'), 20_000);
    const cert = await issue();
    const [{ requester_name: requester }] = (await stack.db.query(`SELECT requester_name FROM request WHERE id = $1`, [cert.requestId])).rows;
    const line = await waitFor('the example to print the event', async () =>
      out.split('\n').map((l) => (l.startsWith('{') ? JSON.parse(l) : undefined)).find((e) => e?.serial === cert.serial),
    );
    expect(line).toMatchObject({ event: 'certificate.issued', serial: cert.serial, requester });
  }, 60_000);
});
