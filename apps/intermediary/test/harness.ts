import { connect, type NatsConnection } from '@nats-io/transport-node';
import { generateAssertionKeyPair, loadVerifyKeys, verifyAssertion } from '@signet/assertions';
import { FRONT_DOORS, IDENTITY_ASSERTION_TYPE, identityAudience } from '@signet/contracts';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { CapturingLogger, listenForTests } from '@signet/http';
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/app.setup';
import { loadConfig, type IntermediaryConfig } from '../src/config/config';
import { type Authenticator } from '../src/auth/authenticator';
import { type ChallengeValidator } from '../src/acme/validation/challenge-validator';
import { FakeCa } from './fake-ca';

/** The front door's key pair in these tests: the app signs with the private half, a spec checks with the public one. */
export const FRONT_DOOR = generateAssertionKeyPair();

// Real NATS: these tests cover the HTTP ↔ bus contract, so the bus is never mocked.
export const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A CA name no other test run on the same bus uses. */
export function uniqueCaName(prefix = 'int'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface Harness {
  nc: NatsConnection;
  ca: FakeCa;
  app: NestExpressApplication;
  config: IntermediaryConfig;
  logger: CapturingLogger;
  url(path: string): string;
  close(): Promise<void>;
}

/**
 * A fake CA under a fresh name (made the default, since other test CAs may
 * share the bus), and the real intermediary app on a random port.
 */
export async function startHarness(
  env: Record<string, string> = {},
  beforeApp: (nc: NatsConnection) => Promise<void> = async () => {},
  authenticators?: Authenticator[],
  challengeValidator?: ChallengeValidator,
): Promise<Harness> {
  // SIGNET_NATS_URL in env points the whole harness (fake CA, app) at another server, e.g. a private one.
  const nc = await connect({ servers: env.SIGNET_NATS_URL ?? NATS_URL });
  const ca = await new FakeCa(uniqueCaName()).start(nc);
  // Other CAs start before the app, whose first discovery round runs at boot.
  await beforeApp(nc);
  const config = loadConfig({
    SIGNET_FRONT_DOOR_KEY: FRONT_DOOR.privateKeyPem,
    SIGNET_NATS_URL: NATS_URL,
    SIGNET_HTTP_PORT: '0',
    SIGNET_DEFAULT_CA: ca.name,
    SIGNET_CA_TIMEOUT_MS: '1000',
    SIGNET_DISCOVERY_WAIT_MS: '150',
    // Plain HTTP with the API, as before HTTPS (ADR 0029); test/https.int.spec.ts turns it on.
    SIGNET_TLS_MODE: 'off',
    ...env,
  });
  const logger = new CapturingLogger();
  const app = await createApp(config, nc, { logger, authenticators, challengeValidator });
  const url = await listenForTests(app);
  return {
    nc,
    ca,
    app,
    config,
    logger,
    url,
    async close() {
      await app.close();
      await ca.stop();
      await nc.close();
    },
  };
}

/** The claims of an identity assertion the app sent to CA `ca`, checked with the front door's public key as ca-core would. */
export async function assertionClaims(ca: string, jws: string | undefined): Promise<Record<string, unknown>> {
  if (jws === undefined) throw new Error('the message carries no identity assertion');
  return verifyAssertion(loadVerifyKeys(FRONT_DOOR.publicKeyPem), jws, { audience: identityAudience(ca), type: IDENTITY_ASSERTION_TYPE, issuers: FRONT_DOORS });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export const CSR_PEM = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBFAKECSRBASE64==\n-----END CERTIFICATE REQUEST-----\n';
