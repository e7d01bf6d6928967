import { Controller, Logger, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { BusClient, createBusMicroservice, ensureEventStream } from '@signet/bus';
import { Commands, ErrorCode, type PolicyInitReply, type PolicyVerifyReply } from '@signet/contracts';
import { type DataSource } from 'typeorm';
import { CaCoreModule } from '../app.module';
import { type CaConfig } from '../config/ca-config';
import { openDatabase } from '../database/data-source';
import { connectNats, createTestDatabase, purgeEvents, testCaName, testConfig, waitFor, type TestDatabase } from '../testing/infra';
import { ScratchDir } from '@signet/testing';
import { makeCsr } from '../testing/openssl';
import { PolicyClient } from './policy.client';

/*
 * ca-core started before its policy module, as `npm start` and docker-compose
 * start them: the module comes up while ca-core's Initialize retries are
 * sleeping in their backoff. A submission then must not be parked as
 * POLICY_UNAVAILABLE: it asks the module right away (ADR 0020). Real NATS
 * and PostgreSQL.
 */

@Controller()
class LatePolicy {
  @MessagePattern(Commands.policyInit.name)
  init(): PolicyInitReply {
    return { name: 'late-policy', description: 'comes up after ca-core', version: '1', templates: ['WebServer'] };
  }

  @MessagePattern(Commands.policyVerify.name)
  verify(): PolicyVerifyReply {
    return { verdict: 'pend', message: 'looked at by the late policy', changes: {} };
  }
}

@Module({ controllers: [LatePolicy] })
class LatePolicyModule {}

describe('a policy module that comes up after ca-core (real bus and database)', () => {
  const ca = testCaName('late');
  const w = new ScratchDir();
  let db: TestDatabase;
  let ds: DataSource;
  let config: CaConfig;
  let caNc: NatsConnection;
  let policyNc: NatsConnection;
  let clientNc: NatsConnection;
  let app: INestMicroservice | undefined;
  let policyApp: INestMicroservice | undefined;
  let watcher: Subscription;
  let initAsked = 0;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase();
    // A short policy timeout: every Initialize attempt ends within it, answered or not.
    config = testConfig(ca, db.url, { SIGNET_CA_SUBJECT: 'O=Signet Tests,CN=Late Policy CA', SIGNET_POLICY_TIMEOUT_MS: '300' });
    ds = await openDatabase(config.databaseUrl);
    [caNc, policyNc, clientNc] = await Promise.all([`ca-core-${ca}`, `policy-${ca}`, `client-${ca}`].map((n) => connectNats(n)));
    await ensureEventStream(caNc);
    // Counts ca-core's Initialize attempts; never answers them.
    watcher = clientNc.subscribe(Commands.policyInit.subject(ca), { callback: () => void initAsked++ });
    await clientNc.flush();
    app = await createBusMicroservice(CaCoreModule.register({ config, ds, nc: caNc }), { connection: caNc, ca });
    await app.listen();
  });

  afterAll(async () => {
    watcher?.unsubscribe();
    await app?.close().catch(() => undefined);
    await policyApp?.close().catch(() => undefined);
    if (clientNc) await purgeEvents(clientNc, [ca]);
    await Promise.all([caNc, policyNc, clientNc].map((c) => c?.close()));
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
    w.remove();
  });

  it('a submission right after the module came up is decided by it, not parked while the retry sleeps', async () => {
    // Four failed attempts: the next one is due seconds from now (backoff 250, 500, 1000, 2000 ms).
    await waitFor('four Initialize attempts', async () => initAsked >= 4, 10_000);
    expect(app!.get(PolicyClient).ready).toBe(false);
    policyApp = await createBusMicroservice(LatePolicyModule, { connection: policyNc, ca });
    await policyApp.listen();
    await policyNc.flush();

    const client = new BusClient(clientNc, 10_000);
    const r = await client.call(Commands.submit, ca, { request: makeCsr(w, 'early', '/CN=early.example.test'), attributes: 'CertificateTemplate:WebServer' });
    expect(r).toMatchObject({ disposition: 'pending', message: 'looked at by the late policy' });
    expect(app!.get(PolicyClient).ready).toBe(true);
  });

  it('with the module away, a submission is still parked as POLICY_UNAVAILABLE, after one more attempt', async () => {
    await policyApp!.close();
    policyApp = undefined;
    const client = new BusClient(clientNc, 10_000);
    const submit = () => client.call(Commands.submit, ca, { request: makeCsr(w, 'away', '/CN=away.example.test'), attributes: 'CertificateTemplate:WebServer' });
    // The first finds the module gone while verifying; the second while it is not initialized.
    for (let i = 0; i < 2; i++) {
      const before = initAsked;
      await expect(submit()).rejects.toMatchObject({ code: ErrorCode.PolicyUnavailable, details: { requestId: expect.any(Number) } });
      expect(initAsked).toBeGreaterThan(before);
    }
    expect(app!.get(PolicyClient).ready).toBe(false);
  });
});
