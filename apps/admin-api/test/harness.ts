import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { generateAssertionKeyPair, loadVerifyKeys } from '@signet/assertions';
import { type Role } from '@signet/contracts';
import { CapturingLogger, listenForTests } from '@signet/http';
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/app.setup';
import { tokenSha256 } from '../src/auth/bearer';
import { loadConfig, type AdminConfig } from '../src/config/config';
import { FakeCa } from './fake-ca';

// Real NATS: these tests cover the HTTP ↔ bus contract, so the bus is never mocked.
export const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A CA name no other test run on the same bus uses. */
export function uniqueCaName(prefix = 'adm'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface Harness {
  nc: NatsConnection;
  ca: FakeCa;
  app: NestExpressApplication;
  config: AdminConfig;
  logger: CapturingLogger;
  url(path: string): string;
  /** Registers a token with the fake CA; answers the bearer header value. */
  token(name: string, roles: Role[]): string;
  call(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/** A clock a test moves by hand (admin-api's `now`). */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 11, 1)) {}
  readonly now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A fake ca-core under a fresh CA name, and the real admin-api app on a random port. */
export async function startHarness(env: Record<string, string> = {}, opts: { startCa?: boolean; clock?: TestClock } = {}): Promise<Harness> {
  const nc = await connect({ servers: NATS_URL });
  // admin-api signs with the private half; the fake CA, like ca-core, trusts the public half.
  const adminKeys = generateAssertionKeyPair();
  const ca = new FakeCa(uniqueCaName(), loadVerifyKeys(adminKeys.publicKeyPem));
  if (opts.startCa !== false) await ca.start(nc);
  const config = loadConfig({ SIGNET_NATS_URL: NATS_URL, SIGNET_CA_NAME: ca.name, SIGNET_ADMIN_PORT: '0', SIGNET_CA_TIMEOUT_MS: '1000', SIGNET_ADMIN_ASSERTION_KEY: adminKeys.privateKeyPem, ...env });
  const logger = new CapturingLogger();
  const app = await createApp(config, nc, { logger, now: opts.clock?.now });
  const url = await listenForTests(app);
  return {
    nc,
    ca,
    app,
    config,
    logger,
    url,
    token(name, roles) {
      const token = `t-${randomBytes(12).toString('base64url')}`;
      ca.principals.set(tokenSha256(token), { name, roles });
      return token;
    },
    call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers };
      let body: string | undefined;
      if (o.body !== undefined) {
        body = typeof o.body === 'string' && headers['content-type'] === 'text/plain' ? o.body : JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      return fetch(url(path), { method, headers, body });
    },
    async close() {
      await app.close();
      await ca.stop();
      if (!nc.isClosed()) await nc.close();
    },
  };
}

/** Asserts the error shape and answers the body. */
export async function expectError(res: Response, status: number, code: string): Promise<Record<string, any>> {
  const body = (await res.json()) as Record<string, any>;
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(typeof body.message).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at |<html/i);
  return body;
}
