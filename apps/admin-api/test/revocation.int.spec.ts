import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { CapturingLogger, listenForTests } from '@signet/http';
import { waitFor } from '@signet/testing';
import { createApp } from '../src/app.setup';
import { cuttableRelay } from './cuttable-relay';
import { expectError, NATS_URL, startHarness, TestClock, type Harness } from './harness';

/*
 * Token revocation takes effect at once on every replica (ADR 0024). Two
 * admin-api instances, each with its own NATS connection, in front of one
 * fake ca-core on the real NATS. The clock is the test's and never moves
 * unless a case says so, and the cache lives 30 s: a refusal here comes
 * from the revocation, never from an entry that expired.
 */

interface Replica {
  app: NestExpressApplication;
  nc: NatsConnection;
  logger: CapturingLogger;
  call(method: string, path: string, token?: string): Promise<Response>;
  close(): Promise<void>;
}

async function replica(h: Harness, clock: TestClock, natsUrl = NATS_URL): Promise<Replica> {
  const nc = await connect({ servers: natsUrl, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
  const logger = new CapturingLogger();
  const app = await createApp(h.config, nc, { logger, now: clock.now });
  const url = await listenForTests(app);
  return {
    app,
    nc,
    logger,
    call: (method, path, token) => fetch(url(path), { method, headers: token ? { authorization: `Bearer ${token}` } : {} }),
    close: async () => {
      await app.close();
      await nc.close();
    },
  };
}

const me = (r: { call: Replica['call'] }, token: string) => r.call('GET', '/api/v1/me', token);

async function expectRevoked(res: Response): Promise<void> {
  const body = await expectError(res, 401, 'UNAUTHORIZED');
  expect(body).toEqual({ code: 'UNAUTHORIZED', message: 'this admin token has been revoked; ask a CA administrator for a new one', details: { reason: 'revoked_token' } });
  expect(res.headers.get('www-authenticate')).toBe('Bearer realm="signet-admin", error="invalid_token", error_description="the token has been revoked"');
}

describe('token revocation across admin-api replicas (real NATS, fake ca-core)', () => {
  const clock = new TestClock();
  let h: Harness;
  let b: Replica;
  let admin: string;
  const a = { call: (method: string, path: string, token?: string) => h.call(method, path, { token }) };

  beforeAll(async () => {
    h = await startHarness({ SIGNET_AUTH_CACHE_MS: '30000' }, { clock });
    b = await replica(h, clock);
    admin = h.token('root', ['ca-admin']);
  });
  afterAll(async () => {
    await b?.close();
    await h?.close();
  });

  /** A token both replicas have answered for, so each holds it in its cache. */
  async function cachedOnBoth(name: string): Promise<string> {
    const token = h.token(name, ['viewer']);
    expect((await me(a, token)).status).toBe(200);
    expect((await me(b, token)).status).toBe(200);
    const asked = h.ca.received('adminAuthenticate').length;
    expect((await me(b, token)).status).toBe(200);
    expect(h.ca.received('adminAuthenticate').length).toBe(asked);
    return token;
  }

  it('revoked through one replica, the other refuses it at once although its answer was cached', async () => {
    const alice = await cachedOnBoth('alice');

    const res = await a.call('DELETE', '/api/v1/tokens/alice', admin);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ca: h.ca.name, name: 'alice', revoked: true, revokedAt: expect.any(String) });
    expect(h.ca.received('adminRevokeToken')).toEqual([{ actor: { name: 'root', roles: ['ca-admin'] }, name: 'alice' }]);

    await expectRevoked(await me(b, alice));
    await expectRevoked(await me(a, alice));
    expect(b.logger.lines.join('\n')).toContain('admin token alice revoked (revocation epoch 1): cached answers from before dropped');
  });

  it('other tokens keep working after a revocation (each replica asks ca-core once more)', async () => {
    const bob = await cachedOnBoth('bob');
    h.token('someone-else', ['viewer']);
    expect((await a.call('DELETE', '/api/v1/tokens/someone-else', admin)).status).toBe(200);
    const asked = h.ca.received('adminAuthenticate').length;
    expect((await me(b, bob)).status).toBe(200);
    expect((await me(a, bob)).status).toBe(200);
    expect(h.ca.received('adminAuthenticate').length).toBe(asked + 2);
    expect((await me(b, bob)).status).toBe(200);
    expect(h.ca.received('adminAuthenticate').length).toBe(asked + 2);
  });

  it('the replica that revoked refuses at once even when the notice is late', async () => {
    const carol = await cachedOnBoth('carol');
    h.ca.announce = false;
    try {
      expect((await a.call('DELETE', '/api/v1/tokens/carol', admin)).status).toBe(200);
      await expectRevoked(await me(a, carol));
    } finally {
      h.ca.announce = true;
    }
  });

  it('a replica that missed the notice drops its stale answers on its next answer from ca-core (a higher epoch)', async () => {
    const dave = await cachedOnBoth('dave');
    const erin = h.token('erin', ['viewer']);
    h.ca.announce = false;
    try {
      h.ca.revokeByName('dave');
    } finally {
      h.ca.announce = true;
    }
    // erin is not cached on b: ca-core's answer carries the raised epoch, so every answer b read before it is retired.
    expect((await me(b, erin)).status).toBe(200);
    await expectRevoked(await me(b, dave));
  });

  it('and without any answer the cache lifetime bounds it', async () => {
    const frank = await cachedOnBoth('frank');
    h.ca.announce = false;
    try {
      h.ca.revokeByName('frank');
    } finally {
      h.ca.announce = true;
    }
    clock.advance(30_000);
    await expectRevoked(await me(b, frank));
  });

  it('only a CA administrator revokes; an unknown name is 404', async () => {
    const officer = h.token('olivia', ['officer']);
    await expectError(await a.call('DELETE', '/api/v1/tokens/alice', officer), 403, 'FORBIDDEN');
    await expectError(await a.call('DELETE', '/api/v1/tokens/no-such-token', admin), 404, 'NOT_FOUND');
    await expectError(await a.call('DELETE', '/api/v1/tokens/bad%20name', admin), 400, 'BAD_MESSAGE');
  });
});

describe('a replica whose bus connection drops', () => {
  const clock = new TestClock();
  let h: Harness;
  let relay: Awaited<ReturnType<typeof cuttableRelay>>;
  let b: Replica;

  beforeAll(async () => {
    h = await startHarness({ SIGNET_AUTH_CACHE_MS: '30000' }, { clock });
    relay = await cuttableRelay(NATS_URL);
    b = await replica(h, clock, relay.url);
  });
  afterAll(async () => {
    await b?.close();
    await relay?.close();
    await h?.close();
  });

  it('forgets its cached answers, so a notice sent while it was away cannot be missed', async () => {
    const grace = h.token('grace', ['viewer']);
    expect((await me(b, grace)).status).toBe(200);
    const statuses: string[] = [];
    void (async () => {
      for await (const s of b.nc.status()) statuses.push(s.type);
    })();

    relay.cut();
    await waitFor('replica b to notice the lost connection', async () => statuses.includes('disconnect'), 10_000, 20);
    h.ca.revokeByName('grace'); // announced while b cannot hear it
    relay.restore();
    await waitFor('replica b to reconnect', async () => statuses.includes('reconnect'), 10_000, 20);

    await expectRevoked(await me(b, grace));
    expect(b.logger.lines.join('\n')).toMatch(/bus (disconnect|reconnect): revocation notices may have been missed/);
  });
});
