import { Controller, Logger, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type NatsConnection } from '@nats-io/transport-node';
import { BusClient, createBusMicroservice, ensureEventStream } from '@signet/bus';
import { Commands, type PolicyInitReply, type PolicyVerifyReply, type PolicyVerifyRequest, type SignetError } from '@signet/contracts';
import { type DataSource } from 'typeorm';
import { CaCoreModule } from '../app.module';
import { CaKeysService } from '../ca/ca-keys.service';
import { type Clock } from '../clock';
import { type CaConfig } from '../config/ca-config';
import { openDatabase } from '../database/data-source';
import { PolicyClient } from '../policy/policy.client';
import { connectNats, createTestDatabase, purgeEvents, testCaName, testConfig, waitFor, type TestDatabase } from './infra';

/**
 * Test-only: ca-core in process as main.ts starts it (real PostgreSQL, real
 * NATS), with a policy double on the same bus whose verdicts the test
 * decides per call. Used by the administration specs.
 */
/** The error a call that must fail failed with; a success fails the test, naming what came back. */
export function failure(p: Promise<unknown>): Promise<SignetError> {
  return p.then(
    (r) => {
      throw new Error(`expected an error, got ${JSON.stringify(r).slice(0, 200)}`);
    },
    (e: SignetError) => e,
  );
}

export type PolicyHandler = (req: PolicyVerifyRequest) => PolicyVerifyReply | Promise<PolicyVerifyReply>;

export interface CaCoreHarness {
  ca: string;
  db: TestDatabase;
  ds: DataSource;
  config: CaConfig;
  app: INestMicroservice;
  client: BusClient;
  caNc: NatsConnection;
  clientNc: NatsConnection;
  caPem: string;
  /** Every verify request the policy double saw. */
  verifyCalls: PolicyVerifyRequest[];
  setPolicy(h: PolicyHandler): void;
  close(): Promise<void>;
}

export async function startCaCore(prefix: string, env: Record<string, string> = {}, opts: { clock?: Clock } = {}): Promise<CaCoreHarness> {
  Logger.overrideLogger(['error']);
  const ca = testCaName(prefix);
  const verifyCalls: PolicyVerifyRequest[] = [];
  let handler: PolicyHandler = () => ({ verdict: 'pend', message: 'pending by default', changes: {} });

  @Controller()
  class PolicyDouble {
    @MessagePattern(Commands.policyInit.name)
    init(): PolicyInitReply {
      return { name: 'test-policy', description: 'policy test double', version: '0.0.1', templates: ['WebServer'] };
    }

    @MessagePattern(Commands.policyVerify.name)
    verify(@Payload() req: PolicyVerifyRequest): PolicyVerifyReply | Promise<PolicyVerifyReply> {
      verifyCalls.push(req);
      return handler(req);
    }
  }
  @Module({ controllers: [PolicyDouble] })
  class PolicyDoubleModule {}

  const db = await createTestDatabase();
  const config = testConfig(ca, db.url, { SIGNET_CA_SUBJECT: `O=Signet Tests,CN=Signet ${prefix} CA`, SIGNET_POLICY_TIMEOUT_MS: '3000', SIGNET_OUTBOX_POLL_MS: '50', ...env });
  const ds = await openDatabase(config.databaseUrl);
  const [caNc, policyNc, clientNc] = await Promise.all([`ca-core-${ca}`, `policy-${ca}`, `client-${ca}`].map((n) => connectNats(n)));
  await ensureEventStream(caNc);
  const policyApp = await createBusMicroservice(PolicyDoubleModule, { connection: policyNc, ca });
  await policyApp.listen();
  const app = await createBusMicroservice(CaCoreModule.register({ config, ds, nc: caNc, clock: opts.clock }), { connection: caNc, ca });
  await app.listen();
  const policy = app.get(PolicyClient);
  await waitFor('ca-core to initialize the policy module', async () => policy.ready);
  return {
    ca,
    db,
    ds,
    config,
    app,
    client: new BusClient(clientNc, 15_000),
    caNc,
    clientNc,
    caPem: app.get(CaKeysService).ca.certificatePem,
    verifyCalls,
    setPolicy: (h) => (handler = h),
    close: async () => {
      await app.close().catch(() => undefined);
      await policyApp.close().catch(() => undefined);
      await purgeEvents(clientNc, [ca]).catch(() => undefined);
      await Promise.all([caNc, policyNc, clientNc].map((c) => c.close().catch(() => undefined)));
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    },
  };
}
