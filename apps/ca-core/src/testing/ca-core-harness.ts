import { Controller, Logger, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type NatsConnection } from '@nats-io/transport-node';
import { generateAssertionKeyPair, loadSigningKey, type SigningKey } from '@signet/assertions';
import { BusClient, createBusMicroservice, ensureEventStream } from '@signet/bus';
import {
  BusSubmit,
  Commands,
  type IdentityInput,
  type PolicyInitReply,
  type PolicyVerifyReply,
  type PolicyVerifyRequest,
  type SignetError,
  type SubmitRequest,
  type SubmitResult,
} from '@signet/contracts';
import { type DataSource } from 'typeorm';
import { CaCoreModule } from '../app.module';
import { CaKeysService } from '../ca/ca-keys.service';
import { type Clock } from '../clock';
import { type CaConfig } from '../config/ca-config';
import { openDatabase } from '../database/data-source';
import { PolicyClient } from '../policy/policy.client';
import { signSubmitAssertion, type SignOverrides } from './front-door';
import { AdminSigningClient } from './admin-signing-client';
import { connectNats, createTestDatabase, purgeEvents, testCaName, testConfig, waitFor, type TestDatabase } from './infra';

/**
 * Test-only: ca-core in process as main.ts starts it (real PostgreSQL, real
 * NATS, a fresh database and CA name per call), with a policy double on the
 * same bus whose verdicts the test decides: each case installs the handler
 * it needs with `setPolicy`. Every ca-core integration spec starts here.
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

/**
 * A policy answer that issues under template WebServer with exactly these
 * extensions (DER values), as a shipped template would put them in.
 */
export function issuing(extensions: Array<{ oid: string; critical: boolean; value: Buffer }>, message = 'ok'): () => PolicyVerifyReply {
  return () => ({ verdict: 'issue', message, changes: { template: 'WebServer', extensions: extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value.toString('base64') })) } });
}

export type PolicyHandler = (req: PolicyVerifyRequest) => PolicyVerifyReply | Promise<PolicyVerifyReply>;

export interface StartOptions {
  /** The clock ca-core reads (the system clock otherwise). */
  clock?: Clock;
  /**
   * Runs once the database is migrated and the bus connected, before ca-core
   * starts: for rows a crash left behind, or for stand-ins that must already
   * listen when ca-core starts (the exit roll call). `nc` is the test's own
   * connection, the one `client` uses; it is flushed afterwards.
   */
  beforeStart?: (ctx: { ca: string; ds: DataSource; nc: NatsConnection }) => Promise<void> | void;
}

export interface CaCoreHarness {
  ca: string;
  db: TestDatabase;
  ds: DataSource;
  config: CaConfig;
  app: INestMicroservice;
  /**
   * The test's bus client. Admin commands go out as admin-api sends them:
   * an `actor` given in the request is taken out of the body and signed
   * into an admin assertion with `adminKey` (ADR 0028).
   */
  client: AdminSigningClient;
  /** The same connection without signing: what any process on the bus can send. */
  rawClient: BusClient;
  /** The admin-api key this ca-core trusts (SIGNET_ADMIN_ASSERTION_KEYS). */
  adminKey: SigningKey;
  caNc: NatsConnection;
  clientNc: NatsConnection;
  caPem: string;
  /** Every verify request the policy double saw. */
  verifyCalls: PolicyVerifyRequest[];
  /** The front door's signing key, whose public half ca-core trusts (SIGNET_FRONT_DOOR_KEYS). */
  frontDoor: SigningKey;
  /** Submits as a front door would for `identity`: the message with an assertion signed for it. */
  submitAs(identity: IdentityInput, msg: SubmitRequest, sign?: SignOverrides): Promise<SubmitResult>;
  /** Submits as bus user `user`, on its own subject `ca.<ca>.request.submit.bus.<user>`. */
  submitOnBus(user: string, msg: SubmitRequest): Promise<SubmitResult>;
  /** How often ca-core called the policy double's init. */
  readonly policyInits: number;
  /** Replaces the policy double's verdicts from the next verify on (the default pends). */
  setPolicy(h: PolicyHandler): void;
  /** Takes the policy double off the bus (ca-core keeps running). */
  stopPolicy(): Promise<void>;
  /** Shuts ca-core down as SIGTERM would; the database and connections stay for assertions. */
  stopCaCore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts ca-core for CA `<prefix>-<random>`. `env` holds the SIGNET_*
 * variables that differ from the test defaults below; they reach the CA
 * configuration and the revocation settings alike.
 */
export async function startCaCore(prefix: string, env: Record<string, string | undefined> = {}, opts: StartOptions = {}): Promise<CaCoreHarness> {
  Logger.overrideLogger(['error']);
  const ca = testCaName(prefix);
  const verifyCalls: PolicyVerifyRequest[] = [];
  let policyInits = 0;
  let handler: PolicyHandler = () => ({ verdict: 'pend', message: 'pending by default', changes: {} });

  @Controller()
  class PolicyDouble {
    @MessagePattern(Commands.policyInit.name)
    init(): PolicyInitReply {
      policyInits++;
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
  const frontDoorPair = generateAssertionKeyPair();
  const frontDoor = loadSigningKey(frontDoorPair.privateKeyPem);
  // admin-api's assertion key pair: ca-core trusts the public half, `client` signs with the private one.
  const adminKeys = generateAssertionKeyPair();
  const adminKey = loadSigningKey(adminKeys.privateKeyPem);
  const settings = {
    SIGNET_CA_SUBJECT: `O=Signet Tests,CN=Signet ${prefix} CA`,
    SIGNET_POLICY_TIMEOUT_MS: '3000',
    SIGNET_OUTBOX_POLL_MS: '50',
    SIGNET_FRONT_DOOR_KEYS: frontDoorPair.publicKeyPem,
    SIGNET_ADMIN_ASSERTION_KEYS: adminKeys.publicKeyPem,
    ...env,
  };
  const config = testConfig(ca, db.url, settings);
  const ds = await openDatabase(config.databaseUrl);
  const [caNc, policyNc, clientNc] = await Promise.all([`ca-core-${ca}`, `policy-${ca}`, `client-${ca}`].map((n) => connectNats(n)));
  await ensureEventStream(caNc);
  await opts.beforeStart?.({ ca, ds, nc: clientNc });
  await clientNc.flush();
  const policyApp = await createBusMicroservice(PolicyDoubleModule, { connection: policyNc, ca });
  await policyApp.listen();
  const app = await createBusMicroservice(
    CaCoreModule.register({ config, ds, nc: caNc, clock: opts.clock, env: { ...process.env, ...settings } }),
    { connection: caNc, ca },
  );
  await app.listen();
  const policy = app.get(PolicyClient);
  await waitFor('ca-core to initialize the policy module', async () => policy.ready);

  // Each stops once, whether a test stopped it first or close() does.
  const once = (fn: () => Promise<void>) => {
    let done: Promise<void> | undefined;
    return () => (done ??= fn());
  };
  const stopPolicy = once(() => policyApp.close());
  const stopCaCore = once(() => app.close());
  const client = new BusClient(clientNc, 20_000);
  return {
    ca,
    db,
    ds,
    config,
    app,
    client: new AdminSigningClient(client, adminKey),
    rawClient: client,
    adminKey,
    frontDoor,
    submitAs: async (identity, msg, sign) => client.call(Commands.submit, ca, { ...msg, identityAssertion: await signSubmitAssertion(frontDoor, ca, identity, msg, sign) }),
    submitOnBus: (user, msg) => client.callOn(Commands.submitBus, BusSubmit.subject(ca, user), msg),
    caNc,
    clientNc,
    caPem: app.get(CaKeysService).ca.certificatePem,
    verifyCalls,
    get policyInits() {
      return policyInits;
    },
    setPolicy: (h) => (handler = h),
    stopPolicy,
    stopCaCore,
    close: async () => {
      await stopCaCore().catch(() => undefined);
      await stopPolicy().catch(() => undefined);
      await purgeEvents(clientNc, [ca]).catch(() => undefined);
      await Promise.all([caNc, policyNc, clientNc].map((c) => c.close().catch(() => undefined)));
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    },
  };
}
