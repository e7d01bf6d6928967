import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, PermissionViolationError, type NatsConnection } from '@nats-io/transport-node';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AdminTokenRevoked, Commands, ExitEvent, ExitRollCall, Inboxes, type CaEvent } from '@signet/contracts';
import { caEvent, DeadLetterStore, delivery, DeliveryStatus, ModuleRunner, Registration } from '../../apps/exit-service/src/testing-api';
import { BusClient, encodeJson } from '@signet/bus';

// deploy/nats/nats.conf (the compose file's NATS config) enforced by a real
// nats-server: each service's user may use its own subjects and nothing else.
// The server is a throw-away one on random ports with a temporary store.

const ROOT = path.resolve(__dirname, '..', '..');
const CONF = path.join(ROOT, 'deploy', 'nats', 'nats.conf');
const USERS = ['ca-core', 'policy-service', 'intermediary', 'admin-api', 'exit-service'] as const;
type User = (typeof USERS)[number];
const envName = (u: User) => `SIGNET_NATS_${u.toUpperCase().replace(/-/g, '_')}_PASSWORD`;

function findNatsServer(): string | undefined {
  const candidates = [process.env.SIGNET_NATS_SERVER_BIN, ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'nats-server')), '/usr/sbin/nats-server'];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

// scripts/ensure-services.sh installs it wherever it can (root + apt); without it this spec fails, never skips.
const NATS_SERVER = findNatsServer();
/** `p`, or `fallback` after `ms` milliseconds; leaves no timer behind. */
async function within<T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((r) => (timer = setTimeout(() => r(fallback), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}


// A letter first: the server parses the variable's value as a config value.
const passwords = Object.fromEntries(USERS.map((u) => [u, `p${randomBytes(16).toString('hex')}`])) as Record<User, string>;
/** Two bus submitters, each a user made from the conf's submitter template (ADR 0026). */
const SUBMITTERS = ['billing', 'payroll'] as const;
const submitterPasswords = Object.fromEntries(SUBMITTERS.map((u) => [u, `p${randomBytes(16).toString('hex')}`]));
const passwordEnv = {
  ...Object.fromEntries(USERS.map((u) => [envName(u), passwords[u]])),
  ...Object.fromEntries(SUBMITTERS.map((u) => [`SIGNET_NATS_${u.toUpperCase()}_PASSWORD`, submitterPasswords[u]])),
};

/** The conf's commented submitter block, filled in for `user`, as an operator copies it. */
function submitterUser(conf: string, user: string): string {
  const block = /# submitter-template-begin\n([\s\S]*?)\n\s*# submitter-template-end/.exec(conf);
  if (!block) throw new Error('deploy/nats/nats.conf has no submitter template');
  return block[1].split('\n').map((l) => l.replace(/^\s*# {3}/, '    ')).join('\n').replaceAll('<user>', user).replaceAll('<USER>', user.toUpperCase().replace(/-/g, '_'));
}

describe('deploy/nats/nats.conf permissions', () => {
  let dir: string;
  let server: ChildProcess;
  let url: string;
  let serverLog = '';
  const conns: NatsConnection[] = [];

  async function as(user: User): Promise<NatsConnection> {
    // Each service receives its replies under its own inbox prefix, as its main.ts connects.
    const nc = await connect({ servers: url, user, pass: passwords[user], name: `infra-test-${user}`, reconnect: false, inboxPrefix: Inboxes.prefix(user) });
    conns.push(nc);
    return nc;
  }

  /** Publishes and returns the permission errors the server sent back for it. */
  async function publishErrors(nc: NatsConnection, subject: string): Promise<PermissionViolationError[]> {
    const seen: PermissionViolationError[] = [];
    const watcher = (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'error' && s.error instanceof PermissionViolationError) seen.push(s.error);
      }
    })();
    nc.publish(subject, 'x');
    await nc.flush(); // the server answers PUB before the PING of flush
    await new Promise((r) => setImmediate(r));
    void watcher;
    return seen.filter((e) => e.operation === 'publish' && e.subject === subject);
  }

  /**
   * A request the server refuses to let out: nats.js rejects it with a
   * RequestError caused by the PermissionViolationError (not a timeout, not
   * "no responders": a responder is listening in every such test).
   */
  async function requestDenied(nc: NatsConnection, subject: string): Promise<PermissionViolationError> {
    const err = await nc.request(subject, '{}', { timeout: 3_000 }).then(
      () => new Error(`request on ${subject} was answered`),
      (e: Error) => e,
    );
    const pve = err instanceof PermissionViolationError ? err : err.cause;
    if (!(pve instanceof PermissionViolationError)) throw new Error(`expected a permissions violation on ${subject}, got: ${err.message}`);
    expect(pve.operation).toBe('publish');
    expect(pve.subject).toBe(subject);
    return pve;
  }

  /** A responder on `subject` (queue group like the real services) answering "ok". */
  function respond(nc: NatsConnection, subject: string, queue?: string): void {
    nc.subscribe(subject, { queue, callback: (_err, msg) => void msg.respond('ok') });
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'signet-nats-perm-'));
    // Same file, only the JetStream store moved (-sd would clash with store_dir).
    const shipped = readFileSync(CONF, 'utf8');
    const conf = shipped
      .replace(/store_dir:\s*"[^"]*"/, `store_dir: "${path.join(dir, 'js')}"`)
      .replace(/users = \[\n/, `users = [\n${SUBMITTERS.map((u) => submitterUser(shipped, u)).join('\n')}\n`);
    expect(conf).toContain(path.join(dir, 'js'));
    writeFileSync(path.join(dir, 'nats.conf'), conf);
    server = spawn(NATS_SERVER!, ['-c', path.join(dir, 'nats.conf'), '-a', '127.0.0.1', '-p', '-1', '-m', '-1', '--ports_file_dir', dir], {
      env: { ...process.env, ...passwordEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d) => (serverLog += d));
    server.stderr!.on('data', (d) => (serverLog += d));
    const deadline = Date.now() + 15_000;
    while (!url) {
      const ports = readdirSync(dir).find((f) => f.endsWith('.ports'));
      if (ports) {
        url = JSON.parse(readFileSync(path.join(dir, ports), 'utf8')).nats[0];
        break;
      }
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server did not start:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 30_000);

  afterAll(async () => {
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await within(exited, 5_000, undefined);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start when a password variable is missing', () => {
    const env = { ...process.env, ...passwordEnv };
    delete env[envName('exit-service')];
    const r = spawnSync(NATS_SERVER!, ['-c', CONF, '-t'], { env, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('SIGNET_NATS_EXIT_SERVICE_PASSWORD');
  });

  it('rejects a wrong password', async () => {
    await expect(connect({ servers: url, user: 'intermediary', pass: 'wrong', reconnect: false })).rejects.toThrow(/authorization/i);
  });

  describe('a bus submitter (a user from the submitter template)', () => {
    async function asSubmitter(user: (typeof SUBMITTERS)[number]): Promise<NatsConnection> {
      const nc = await connect({ servers: url, user, pass: submitterPasswords[user], name: `infra-test-${user}`, reconnect: false, inboxPrefix: `_INBOX_${user.toUpperCase()}` });
      conns.push(nc);
      return nc;
    }

    it('may submit on its own subject, which ca-core serves in its queue group', async () => {
      const core = await as('ca-core');
      respond(core, 'ca.x.request.submit.bus.*', 'signet-ca-core');
      await core.flush();
      const nc = await asSubmitter('billing');
      expect((await nc.request('ca.x.request.submit.bus.billing', 'csr', { timeout: 3_000 })).string()).toBe('ok');
    });

    it('cannot submit as another user, nor on the front doors\' subject, nor read anything back', async () => {
      const core = await as('ca-core');
      respond(core, 'ca.x.request.submit', 'signet-ca-core');
      respond(core, 'ca.x.request.retrieve', 'signet-ca-core');
      await core.flush();
      const nc = await asSubmitter('billing');
      for (const subject of ['ca.x.request.submit.bus.payroll', 'ca.x.request.submit', 'ca.x.request.retrieve', 'ca.x.request.submit.bus.billing.more']) {
        await requestDenied(nc, subject);
      }
    });

    it('the intermediary cannot submit as a bus user either', async () => {
      const core = await as('ca-core');
      respond(core, 'ca.x.request.submit.bus.*', 'signet-ca-core');
      await core.flush();
      await requestDenied(await as('intermediary'), 'ca.x.request.submit.bus.intermediary');
    });
  });

  describe('intermediary', () => {
    it('may request ca.x.request.submit (answered by ca-core in its queue group)', async () => {
      const core = await as('ca-core');
      respond(core, 'ca.x.request.submit', 'signet-ca-core');
      respond(core, 'signet.discovery.cas');
      await core.flush();
      const nc = await as('intermediary');
      expect((await nc.request('ca.x.request.submit', 'csr', { timeout: 3_000 })).string()).toBe('ok');
      expect((await nc.request('signet.discovery.cas', '{}', { timeout: 3_000 })).string()).toBe('ok');
    });

    it('alone may check an enrollment secret at ca-core (ca.x.enrollment-secret.check); admin-api, policy-service and exit-service may not', async () => {
      const core = await as('ca-core');
      respond(core, Commands.enrollmentSecretCheck.wildcard, Commands.enrollmentSecretCheck.queue);
      await core.flush();
      const nc = await as('intermediary');
      expect((await nc.request(Commands.enrollmentSecretCheck.subject('x'), '{}', { timeout: 3_000 })).string()).toBe('ok');
      for (const user of ['admin-api', 'policy-service', 'exit-service'] as const) await requestDenied(await as(user), Commands.enrollmentSecretCheck.subject('x'));
      // Creating one is an admin command: admin-api's, never the intermediary's.
      await requestDenied(nc, Commands.adminCreateEnrollmentSecret.subject('x'));
    });

    it('alone may ask ca-core to revoke for an enrollee (ca.x.request.revoke, ACME revokeCert); admin-api, policy-service and exit-service may not', async () => {
      const core = await as('ca-core');
      respond(core, Commands.enrolleeRevoke.wildcard, Commands.enrolleeRevoke.queue);
      await core.flush();
      const nc = await as('intermediary');
      expect((await nc.request(Commands.enrolleeRevoke.subject('x'), '{}', { timeout: 3_000 })).string()).toBe('ok');
      for (const user of ['admin-api', 'policy-service', 'exit-service'] as const) await requestDenied(await as(user), Commands.enrolleeRevoke.subject('x'));
    });

    it('alone may read a certificate by serial at ca-core (ca.x.certificate.get, SCEP GetCert); admin-api, policy-service and exit-service may not', async () => {
      const core = await as('ca-core');
      respond(core, Commands.certificateBySerial.wildcard, Commands.certificateBySerial.queue);
      await core.flush();
      const nc = await as('intermediary');
      expect((await nc.request(Commands.certificateBySerial.subject('x'), '{}', { timeout: 3_000 })).string()).toBe('ok');
      for (const user of ['admin-api', 'policy-service', 'exit-service'] as const) await requestDenied(await as(user), Commands.certificateBySerial.subject('x'));
    });

    it('may ask exit-service for its status (readiness), and no other exit-service command', async () => {
      const exit = await as('exit-service');
      respond(exit, 'exit.*.status', 'signet-exit-service');
      respond(exit, 'exit.*.deadletters.list', 'signet-exit-service');
      await exit.flush();
      const nc = await as('intermediary');
      expect((await nc.request('exit.x.status', '{}', { timeout: 3_000 })).string()).toBe('ok');
      await requestDenied(nc, 'exit.x.deadletters.list');
    });

    it('gets a permissions violation on policy.x.verify', async () => {
      const policy = await as('policy-service');
      respond(policy, 'policy.x.verify', 'signet-policy');
      await policy.flush();
      await requestDenied(await as('intermediary'), 'policy.x.verify');
    });

    it("cannot subscribe to the shared inbox or another service's inbox, so it never reads their replies", async () => {
      for (const subject of ['_INBOX.>', Inboxes.subscription('admin-api'), `${Inboxes.prefix('ca-core')}.*`]) {
        const nc = await as('intermediary');
        const sub = nc.subscribe(subject);
        await nc.flush();
        expect({ subject, closed: await within(sub.closed, 3_000, 'still open') }).toEqual({ subject, closed: expect.any(PermissionViolationError) });
      }
      // A reply ca-core sends admin-api (a new admin token, say) reaches admin-api and nobody else.
      const core = await as('ca-core');
      respond(core, Commands.adminCreateToken.wildcard, 'signet-ca-core');
      await core.flush();
      const admin = await as('admin-api');
      expect((await admin.request(Commands.adminCreateToken.subject('x'), '{}', { timeout: 3_000 })).string()).toBe('ok');
    });

    it('cannot subscribe to ca.x.events.>', async () => {
      const nc = await as('intermediary');
      const sub = nc.subscribe('ca.x.events.>');
      await nc.flush();
      const closed = await within(sub.closed, 3_000, 'still open');
      expect(closed).toBeInstanceOf(PermissionViolationError);
    });

    it('cannot publish events, admin commands, or into another client\'s inbox', async () => {
      const nc = await as('intermediary');
      expect(await publishErrors(nc, 'ca.x.events.certificate.issued')).toHaveLength(1);
      expect(await publishErrors(nc, 'ca.x.admin.request.deny')).toHaveLength(1);
      expect(await publishErrors(nc, '_INBOX.forged.reply')).toHaveLength(1);
    });
  });

  describe('policy-service', () => {
    it('answers policy.x.verify for ca-core', async () => {
      const policy = await as('policy-service');
      respond(policy, 'policy.x.verify', 'signet-policy');
      await policy.flush();
      const core = await as('ca-core');
      expect((await core.request('policy.x.verify', '{}', { timeout: 3_000 })).string()).toBe('ok');
    });

    it('cannot publish ca.x.events.certificate.issued', async () => {
      const nc = await as('policy-service');
      expect(await publishErrors(nc, 'ca.x.events.certificate.issued')).toHaveLength(1);
    });

    it('cannot subscribe to ca-core\'s commands', async () => {
      const nc = await as('policy-service');
      const sub = nc.subscribe('ca.x.request.submit');
      await nc.flush();
      expect(await within(sub.closed, 3_000, 'still open')).toBeInstanceOf(PermissionViolationError);
    });
  });

  describe('admin-api', () => {
    it('may call ca.x.admin.*, not the enrollment commands', async () => {
      const core = await as('ca-core');
      respond(core, 'ca.*.admin.>', 'signet-ca-core');
      respond(core, 'ca.*.request.submit', 'signet-ca-core');
      await core.flush();
      const nc = await as('admin-api');
      expect((await nc.request('ca.x.admin.request.resubmit', '{}', { timeout: 3_000 })).string()).toBe('ok');
      await requestDenied(nc, 'ca.x.request.submit');
    });

    it('hears the admin-token revocations ca-core publishes, and no other event', async () => {
      const nc = await as('admin-api');
      const heard: string[] = [];
      const sub = nc.subscribe(AdminTokenRevoked.subject('x'), { callback: (e, m) => void (e || heard.push(m.string())) });
      await nc.flush();
      const core = await as('ca-core');
      expect(await publishErrors(core, AdminTokenRevoked.subject('x'))).toEqual([]);
      // The server forwarded the message before it answers this PING.
      await nc.flush();
      expect(heard).toEqual(['x']);
      expect(sub.isClosed()).toBe(false);

      const other = nc.subscribe('ca.x.events.certificate.revoked');
      await nc.flush();
      expect(await within(other.closed, 3_000, 'still open')).toBeInstanceOf(PermissionViolationError);
      // It may not announce a revocation itself (only ca-core, through its outbox, does).
      expect(await publishErrors(nc, AdminTokenRevoked.subject('x'))).toHaveLength(1);
    });

    it('may call every command exit-service serves (dead letters, delivery status), which exit-service may serve', async () => {
      const served = Object.values(Commands).filter((c) => c.queue === 'signet-exit-service');
      expect(served.length).toBeGreaterThanOrEqual(5);
      const exit = await as('exit-service');
      for (const c of served) respond(exit, c.wildcard, c.queue);
      await exit.flush();
      const nc = await as('admin-api');
      for (const c of served) expect([c.name, (await nc.request(c.subject('x'), '{}', { timeout: 3_000 })).string()]).toEqual([c.name, 'ok']);
    });
  });

  describe('events through JetStream (ca-core publishes, exit-service consumes)', () => {
    it('lets ca-core create the stream and publish, exit-service consume and ack, and nobody else publish', async () => {
      const core = await as('ca-core');
      const jsm = await jetstreamManager(core);
      // What ca-core does at start (libs/bus ensureEventStream): info, then create.
      await expect(jsm.streams.info('SIGNET_EVENTS')).rejects.toThrow();
      await jsm.streams.add({ name: 'SIGNET_EVENTS', subjects: ['ca.*.events.>'] });
      const ack = await jetstream(core).publish('ca.x.events.certificate.issued', '{"serial":"01"}', { msgID: 'evt-1' });
      expect(ack.seq).toBe(1);
      const dup = await jetstream(core).publish('ca.x.events.certificate.issued', '{"serial":"01"}', { msgID: 'evt-1' });
      expect(dup.duplicate).toBe(true);

      const policy = await as('policy-service');
      expect(await publishErrors(policy, 'ca.x.events.certificate.issued')).toHaveLength(1);
      // ca-core may not touch consumers (they are the exit modules').
      await expect(jsm.consumers.add('SIGNET_EVENTS', { durable_name: 'nope', ack_policy: AckPolicy.Explicit })).rejects.toThrow();

      const exit = await as('exit-service');
      const xjsm = await jetstreamManager(exit);
      await xjsm.consumers.add('SIGNET_EVENTS', {
        durable_name: 'exit-infra-test',
        ack_policy: AckPolicy.Explicit,
        filter_subject: 'ca.x.events.>',
        max_deliver: 5,
      });
      const consumer = await jetstream(exit).consumers.get('SIGNET_EVENTS', 'exit-infra-test');
      const msg = await consumer.next({ expires: 3_000 });
      expect(msg?.subject).toBe('ca.x.events.certificate.issued');
      expect(await msg!.ackAck()).toBe(true);
      const info = await consumer.info();
      expect(info.num_ack_pending).toBe(0);
      expect(info.delivered.stream_seq).toBe(1);
      // The exit module cannot write events or change the stream.
      expect(await publishErrors(exit, 'ca.x.events.certificate.issued')).toHaveLength(1);
      await expect(xjsm.streams.delete('SIGNET_EVENTS')).rejects.toThrow();

      expect((await jsm.streams.info('SIGNET_EVENTS')).state.messages).toBe(1);
    });
  });

  describe('exit-service running its real delivery code under its own user', () => {
    it('binds durable consumers, acks, NAKs, records, lists, reads and deletes dead letters; answers the roll call', async () => {
      const core = await as('ca-core');
      const jsm = await jetstreamManager(core);
      await jsm.streams.info('SIGNET_EVENTS').catch(() => jsm.streams.add({ name: 'SIGNET_EVENTS', subjects: ['ca.*.events.>'] }));
      const exit = await as('exit-service');
      const store = new DeadLetterStore(exit, 'x');
      await store.init(); // creates SIGNET_DEAD_LETTERS
      const handled: CaEvent[] = [];
      const runner = new ModuleRunner(
        {
          name: 'perm-test', description: '', version: '1', events: [ExitEvent.CertificateIssued, ExitEvent.RequestDenied], mask: 0x5,
          delivery: delivery({ timeoutMs: 1000, retry: { attempts: 2, initialDelayMs: 100, multiplier: 1, maxDelayMs: 100, jitter: 0 } }),
          handle: async (e) => {
            handled.push(e);
            if (e.event === ExitEvent.RequestDenied) throw new Error('receiver down');
          },
        },
        { nc: exit, ca: 'x', deadLetters: store, readBack: () => Promise.reject(new Error('unused')) },
      );
      await runner.start();
      try {
        const ok = caEvent(ExitEvent.CertificateIssued, {}, 'x');
        const bad = caEvent(ExitEvent.RequestDenied, {}, 'x');
        await jetstream(core).publish('ca.x.events.certificate.issued', JSON.stringify(ok), { msgID: ok.id });
        await jetstream(core).publish('ca.x.events.request.denied', JSON.stringify(bad), { msgID: bad.id });
        const deadline = Date.now() + 10_000;
        let dead: Awaited<ReturnType<DeadLetterStore['list']>> = [];
        while (Date.now() < deadline && !(runner.stats.delivered === 1 && (dead = await store.list({ limit: 10 })).length === 1)) await new Promise((r) => setTimeout(r, 100));
        expect(runner.stats.delivered).toBe(1);
        expect(dead).toEqual([expect.objectContaining({ module: 'perm-test', eventId: bad.id, attempts: 2, lastError: 'receiver down' })]);
        expect((await store.get(dead[0].id))?.event).toEqual(bad);
        // The delivery status (exit.<ca>.status) reads consumer and stream info under the same user.
        const status = await new DeliveryStatus(exit, 'x', [runner.module], store).status();
        expect(status.modules[0]).toMatchObject({ name: 'perm-test', deadLetters: 1, events: [{ event: ExitEvent.CertificateIssued, pending: 0 }, { event: ExitEvent.RequestDenied, pending: 0 }] });
        expect(await store.remove(dead[0].id)).toBe(true);
        expect(await store.list({ limit: 10 })).toEqual([]);
      } finally {
        await runner.stop();
      }
      // ca-core's roll call reaches exit-service, and its answer comes back.
      const reg = new Registration(exit, new BusClient(exit), 'x', [{ name: 'perm-test', description: 'd', version: '1', events: [], mask: 0x5, delivery: delivery(), handle: async () => undefined }]);
      reg.answerRollCall();
      await exit.flush();
      const answer = await core.request(ExitRollCall.subject('x'), encodeJson({ ca: { name: 'x', config: 'h\\X', subject: [], notBefore: new Date().toISOString(), notAfter: new Date().toISOString(), keyAlgorithm: 'ecdsa-p256' } }), { timeout: 3_000 });
      expect(answer.json()).toEqual({ ok: true, data: { kind: 'exit', name: 'perm-test', description: 'd', version: '1', eventMask: 5 } });
      await reg.stop();
    });

    it('may not create or change SIGNET_EVENTS, nor write into someone else\'s dead-letter branch of the bus', async () => {
      const exit = await as('exit-service');
      expect(await publishErrors(exit, '$JS.API.STREAM.CREATE.SIGNET_EVENTS')).toHaveLength(1);
      expect(await publishErrors(exit, '$JS.API.STREAM.PURGE.SIGNET_EVENTS')).toHaveLength(1);
      expect(await publishErrors(exit, '$JS.API.STREAM.DELETE.SIGNET_DEAD_LETTERS')).toHaveLength(1);
      expect(await publishErrors(exit, '$JS.API.STREAM.PURGE.SIGNET_DEAD_LETTERS')).toHaveLength(1);
      expect(await publishErrors(exit, 'ca.x.request.submit')).toHaveLength(1);
      const policy = await as('policy-service');
      expect(await publishErrors(policy, 'deadletters.x.webhook.0123')).toHaveLength(1);
      expect(await publishErrors(policy, 'exit.x.initialize')).toHaveLength(1);
    });
  });

  describe('exit-service', () => {
    it('may read back from ca-core (ca.x.exit.read), not submit', async () => {
      const core = await as('ca-core');
      respond(core, 'ca.*.exit.read', 'signet-ca-core');
      respond(core, 'ca.*.request.submit', 'signet-ca-core');
      await core.flush();
      const nc = await as('exit-service');
      expect((await nc.request('ca.x.exit.read', '{}', { timeout: 3_000 })).string()).toBe('ok');
      await requestDenied(nc, 'ca.x.request.submit');
    });
  });
});
