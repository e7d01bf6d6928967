import { FlattenedSign } from 'jose';
import { waitFor } from '@signet/testing';
import { ACME_STORE } from '../src/acme/acme.tokens';
import { AcmeTestClient, ScriptedValidator } from '../src/testing/acme-client';
import { createAcmeTestDatabase, type TestDatabase } from '../src/testing/acme-database';
import { csrFor, problemOf, readyOrder } from './acme-helpers';
import { FakeCa } from './fake-ca';
import { assertionClaims, startHarness, type Harness } from './harness';

/**
 * ACME accounts bound to external keys, rate limits and validations left
 * by a dead replica, each against its own PostgreSQL database and the fake
 * ca-core on real NATS (see acme.int.spec.ts for the protocol itself).
 */
describe('ACME with external account binding required', () => {
  let db: TestDatabase;
  let h: Harness;
  let directoryUrl: string;

  beforeAll(async () => {
    db = await createAcmeTestDatabase();
    h = await startHarness({ SIGNET_ACME_DATABASE_URL: db.url, SIGNET_ACME_EAB_REQUIRED: 'true', SIGNET_ACME_TERMS_OF_SERVICE: 'https://ca.example.test/tos' }, undefined, undefined, new ScriptedValidator());
    directoryUrl = h.url('/acme/directory');
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  it('fail/without a binding: externalAccountRequired; without agreeing to the terms: malformed', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    expect(c.directory.meta).toMatchObject({ externalAccountRequired: true, termsOfService: 'https://ca.example.test/tos' });
    expect(problemOf(await c.newAccount({ termsOfServiceAgreed: true }))).toBe('externalAccountRequired');
    expect(problemOf(await c.newAccount({}))).toBe('malformed');
  });

  it('ok/with the operator\'s key the account is created and bound; the key binds once; the CA sees its kid', async () => {
    const { kid, hmacKey } = await h.app.get(ACME_STORE).createEabKey();
    const binding = async (c: AcmeTestClient) =>
      new FlattenedSign(new TextEncoder().encode(JSON.stringify(c.jwk))).setProtectedHeader({ alg: 'HS256', kid, url: c.directory.newAccount }).sign(Buffer.from(hmacKey, 'base64url'));
    const c = await AcmeTestClient.create(directoryUrl);
    const created = await c.newAccount({ termsOfServiceAgreed: true, externalAccountBinding: await binding(c) });
    expect(created.status).toBe(201);
    const other = await AcmeTestClient.create(directoryUrl);
    const reused = await other.newAccount({ termsOfServiceAgreed: true, externalAccountBinding: await binding(other) });
    expect([reused.status, problemOf(reused)]).toEqual([403, 'unauthorized']);

    const identifiers = [{ type: 'dns' as const, value: 'bound.example.com' }];
    const { order } = await readyOrder(c, identifiers);
    h.ca.onSubmit = () => FakeCa.submitted(7, 'issued');
    await c.post(order.finalize, { csr: await csrFor(identifiers) });
    const claims = await assertionClaims(h.ca.name, h.ca.submits.at(-1)!.identityAssertion);
    expect((claims.identity as any).evidence).toMatchObject({ eabKid: kid });
  });
});

describe('ACME rate limits (per account and per address, shared through the database)', () => {
  let db: TestDatabase;
  let h: Harness;
  let directoryUrl: string;
  const validator = new ScriptedValidator();

  beforeAll(async () => {
    db = await createAcmeTestDatabase();
    h = await startHarness(
      {
        SIGNET_ACME_DATABASE_URL: db.url,
        SIGNET_ACME_LIMIT_ORDERS_PER_ACCOUNT: '2',
        SIGNET_ACME_LIMIT_ORDERS_PER_IP: '4',
        SIGNET_ACME_LIMIT_PENDING_AUTHZS_PER_ACCOUNT: '3',
        SIGNET_ACME_LIMIT_FAILED_VALIDATIONS_PER_ACCOUNT: '1',
      },
      undefined,
      undefined,
      validator,
    );
    directoryUrl = h.url('/acme/directory');
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  const order = (c: AcmeTestClient, ...values: string[]) => c.post(c.directory.newOrder, { identifiers: values.map((value) => ({ type: 'dns', value })) });

  it('fail/a third new order of one account in the window, and an order that would pass the pending authorisations: rateLimited with Retry-After', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    expect(problemOf(await order(c, 'a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'))).toBe('rateLimited');
    expect((await order(c, 'a.example.com')).status).toBe(201);
    expect((await order(c, 'b.example.com')).status).toBe(201);
    const third = await order(c, 'c.example.com');
    expect([third.status, problemOf(third)]).toEqual([429, 'rateLimited']);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(third.headers.get('replay-nonce')).toBeTruthy();
  });

  it('fail/orders from one address across accounts: the address limit', async () => {
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    // Two orders of the previous test and these two make four from 127.0.0.1.
    expect((await order(c, 'e.example.com')).status).toBe(201);
    expect((await order(c, 'f.example.com')).status).toBe(201);
    const other = await AcmeTestClient.create(directoryUrl);
    await other.newAccount();
    const r = await order(other, 'g.example.com');
    expect([r.status, problemOf(r)]).toEqual([429, 'rateLimited']);
    expect(r.body.detail).toMatch(/from this address/);
  });

  it('fail/after a failed validation, the account waits before starting another', async () => {
    await h.close();
    await db.drop();
    db = await createAcmeTestDatabase();
    h = await startHarness({ SIGNET_ACME_DATABASE_URL: db.url, SIGNET_ACME_LIMIT_FAILED_VALIDATIONS_PER_ACCOUNT: '1' }, undefined, undefined, validator);
    directoryUrl = h.url('/acme/directory');
    const c = await AcmeTestClient.create(directoryUrl);
    await c.newAccount();
    validator.answers.set('fails.example.com', { ok: false, error: { type: 'connection', detail: 'refused' } });
    const created = await order(c, 'fails.example.com', 'next.example.com');
    const [first, second] = await Promise.all((created.body.authorizations as string[]).map(async (u) => (await c.post(u, undefined)).body));
    const failing = first.identifier.value === 'fails.example.com' ? first : second;
    const other = failing === first ? second : first;
    await c.post(failing.challenges.find((x: any) => x.type === 'http-01').url, {});
    await waitFor('validation failed', async () => (await c.post(created.body.authorizations[0], undefined)).body.status !== 'pending' || (await c.post(created.body.authorizations[1], undefined)).body.status !== 'pending', 10_000, 50);
    const refused = await c.post(other.challenges.find((x: any) => x.type === 'http-01').url, {});
    expect([refused.status, problemOf(refused)]).toEqual([429, 'rateLimited']);
    expect(refused.body.detail).toMatch(/failed validations/);
  });
});

describe('ACME validation left processing by a dead or hung replica', () => {
  let db: TestDatabase;
  let h: Harness;

  /** Hangs on the first validation of hang.example.com, as a replica that died mid-validation would leave it. */
  class HangOnce extends ScriptedValidator {
    private hung = false;
    override validate(input: Parameters<ScriptedValidator['validate']>[0]) {
      if (input.identifier.value === 'hang.example.com' && !this.hung) {
        this.hung = true;
        this.calls.push(input);
        return new Promise<never>(() => undefined);
      }
      return super.validate(input);
    }
  }
  const validator = new HangOnce();

  beforeAll(async () => {
    db = await createAcmeTestDatabase();
    h = await startHarness({ SIGNET_ACME_DATABASE_URL: db.url, SIGNET_ACME_VALIDATION_TIMEOUT_SECONDS: '3' }, undefined, undefined, validator);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  it('ok/a POST to the challenge after the validation timeout starts it again, and the new run decides', async () => {
    const c = await AcmeTestClient.create(h.url('/acme/directory'));
    await c.newAccount();
    const created = await c.post(c.directory.newOrder, { identifiers: [{ type: 'dns', value: 'hang.example.com' }] });
    const authzUrl = created.body.authorizations[0];
    const ch = (await c.post(authzUrl, undefined)).body.challenges.find((x: any) => x.type === 'http-01');
    expect((await c.post(ch.url, {})).body.status).toBe('processing');
    // Within the timeout (3 s, ample for two requests) a second POST does not start another run.
    expect((await c.post(ch.url, {})).body.status).toBe('processing');
    expect(validator.calls.filter((i) => i.identifier.value === 'hang.example.com')).toHaveLength(1);
    await waitFor('a second run', async () => {
      await c.post(ch.url, {});
      return validator.calls.filter((i) => i.identifier.value === 'hang.example.com').length === 2;
    }, 15_000, 250);
    await waitFor('authorization valid', async () => (await c.post(authzUrl, undefined)).body.status === 'valid', 10_000, 50);
  });
});
