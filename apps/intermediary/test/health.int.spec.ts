import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { createBusMicroservice } from '@signet/bus';
import { Commands, type ExitStatusReply } from '@signet/contracts';
import { asAdmin, createAcmeTestDatabase, type TestDatabase } from '../src/testing/acme-database';
import { startHarness, type Harness } from './harness';

describe('probes', () => {
  let h: Harness;

  beforeAll(async () => {
    // Every probe looks at the bus afresh (readiness never answers from a stale list; the TTL bounds how old a fresh one may be).
    h = await startHarness({ SIGNET_DISCOVERY_TTL_MS: '0' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('GET /healthz → 200 while the process runs', async () => {
    const res = await fetch(h.url('/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz → 200 with the bus up and the default CA answering with its policy module', async () => {
    const res = await fetch(h.url('/readyz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ready',
      bus: 'connected',
      cas: expect.any(Number),
      ca: h.ca.name,
      components: { bus: 'ready', ca: 'ready', policy: 'ready', exitService: 'not required' },
    });
  });

  it('GET /readyz → 503 naming the policy module while the default CA has not initialized it, 200 once it has', async () => {
    h.ca.policyReady = false;
    try {
      const res = await fetch(h.url('/readyz'));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({
        code: 'CA_UNAVAILABLE',
        message: `not ready: policy: CA "${h.ca.name}" has not initialized its policy module yet`,
        details: { bus: 'connected', ca: h.ca.name, components: { bus: 'ready', ca: 'ready', policy: expect.stringContaining('not initialized') } },
      });
    } finally {
      h.ca.policyReady = true;
    }
    // No waiting out the discovery cache: a not-ready answer asks the bus again.
    expect((await fetch(h.url('/readyz'))).status).toBe(200);
  });

  it('GET /readyz → 503 with Retry-After once the bus is gone; /healthz stays 200', async () => {
    await h.nc.close();
    const res = await fetch(h.url('/readyz'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'CA_UNAVAILABLE', details: { bus: 'disconnected' } });
    expect((await fetch(h.url('/healthz'))).status).toBe(200);
  });
});

describe('probes when exit-service is required (SIGNET_READY_EXIT_SERVICE)', () => {
  let h: Harness;
  let exit: INestMicroservice | undefined;

  beforeAll(async () => {
    h = await startHarness({ SIGNET_READY_EXIT_SERVICE: 'true' });
  });
  afterAll(async () => {
    await exit?.close();
    await h.close();
  });

  it('GET /readyz → 503 naming exit-service until it serves exit.<ca>.status, then 200', async () => {
    const res = await fetch(h.url('/readyz'));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      message: `not ready: exitService: exit-service is not serving exit.${h.ca.name}.status`,
      details: { components: { policy: 'ready', exitService: `exit-service is not serving exit.${h.ca.name}.status` } },
    });

    @Controller()
    class FakeExitService {
      @MessagePattern(Commands.exitStatus.name)
      status(): ExitStatusReply {
        return { modules: [] };
      }
    }
    @Module({ controllers: [FakeExitService] })
    class FakeExitModule {}
    exit = await createBusMicroservice(FakeExitModule, { connection: h.nc, ca: h.ca.name, logger: false });
    await exit.listen();
    await h.nc.flush();

    const ready = await fetch(h.url('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ components: { exitService: 'ready' } });
  });

  it('an exit-service that is subscribed but too busy to answer in time (lowest CPU priority on a loaded host) counts as up', async () => {
    await exit?.close();
    exit = undefined;
    const busy = h.nc.subscribe(`exit.${h.ca.name}.status`, { queue: 'signet-exit-service', callback: () => undefined });
    try {
      await h.nc.flush();
      const res = await fetch(h.url('/readyz'));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ components: { exitService: 'ready' } });
    } finally {
      busy.unsubscribe();
    }
  });
});

describe('probes with ACME on: its database is part of readiness', () => {
  let db: TestDatabase;
  let h: Harness;

  beforeAll(async () => {
    db = await createAcmeTestDatabase();
    h = await startHarness({ SIGNET_ACME_DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  it('GET /readyz → 200 with acme ready; 503 naming the ACME database while it refuses connections; 200 again once it takes them', async () => {
    const ready = await fetch(h.url('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ components: { policy: 'ready', tls: 'not required', acme: 'ready' } });

    const name = new URL(db.url).pathname.slice(1);
    await asAdmin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    try {
      await asAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
      const res = await fetch(h.url('/readyz'));
      expect(res.status).toBe(503);
      const body = (await res.json()) as any;
      expect(body.message).toMatch(/^not ready: acme: the ACME database does not answer \(.+\)$/);
      expect(body.details.components).toMatchObject({ bus: 'ready', ca: 'ready', policy: 'ready', acme: expect.stringMatching(/^the ACME database does not answer/) });
    } finally {
      await asAdmin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    }
    const again = await fetch(h.url('/readyz'));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ components: { acme: 'ready' } });
  });
});
