import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { type INestMicroservice } from '@nestjs/common';
import { BusClient, createBusMicroservice, decodeJson, encodeJson } from '@signet/bus';
import { Commands, ModuleRegisterSchema, type Identity } from '@signet/contracts';
import { OID, decodeSubjectAltName } from '@signet/x509';
import { randomBytes } from 'node:crypto';
import { AppModule } from '../app.module';
import { MODULE_INFO } from '../module-info';
import { ModuleAnnouncer } from '../registration/announcer';
import { KEYS, policyFrom, shippedPolicy, verifyRequest } from '../testing/fixtures';

// Real NATS: the wire contract is the point of these tests, so the bus is never mocked.
// A fresh CA name per run keeps a stray responder from another run from answering.
const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';
const ca = `pol-${randomBytes(4).toString('hex')}`;
/** A renewing host: its client certificate proved the name it asks for, so the shipped WebServer issues at once. */
const renewing: Identity = { method: 'tls-client-certificate', principal: 'CN=host01,serial=2a', names: [{ type: 'dns', value: 'www.example.com' }], groups: [], evidence: {} };

describe('policy-service over real NATS', () => {
  let nc: NatsConnection;
  let app: INestMicroservice;
  let client: BusClient;

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL, name: 'policy-service.spec' });
    app = await createBusMicroservice(AppModule.forRoot(shippedPolicy()), { connection: nc, ca, logger: false });
    await app.listen();
    client = new BusClient(nc, 5_000);
  });

  afterAll(async () => {
    await app?.close();
    await nc?.drain();
  });

  it('answers policy.<ca>.init with its name and templates', async () => {
    const reply = await client.call(Commands.policyInit, ca, {
      ca: {
        name: ca,
        config: `localhost\\${ca}`,
        subject: [{ type: 'CN', value: 'Test CA' }],
        certificate: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n',
        notBefore: '2025-01-01T00:00:00.000Z',
        notAfter: '2036-01-01T00:00:00.000Z',
        keyAlgorithm: 'ec',
      },
    });
    expect(reply).toEqual({
      name: 'signet-default-policy',
      description: MODULE_INFO.description,
      version: MODULE_INFO.version,
      templates: ['WebServer', 'ClientAuth', 'CodeSigning', 'Development', 'SignetService', 'SignetScepRa'],
    });
  });

  it('issues a WebServer request through policy.<ca>.verify', async () => {
    const reply = await client.call(Commands.policyVerify, ca, verifyRequest({ sans: [{ type: 'dns', value: 'WWW.example.com' }], identity: renewing }));
    expect(reply).toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.issue' }, changes: { template: 'WebServer' } });
    const san = reply.changes.extensions?.find((e) => e.oid === OID.subjectAltName);
    expect(decodeSubjectAltName(Buffer.from(san!.value!, 'base64'))).toEqual([{ type: 'dns', value: 'www.example.com' }]);
  });

  it('denies with the deciding rule, field and value', async () => {
    const reply = await client.call(Commands.policyVerify, ca, verifyRequest({ key: KEYS.rsa1024 }));
    expect(reply).toMatchObject({ verdict: 'deny', decidedBy: { rule: 'key.size', field: 'publicKey.bits', value: '1024' } });
  });

  it('pends an approval template, then issues the resubmit', async () => {
    const o = {
      attributes: { certificatetemplate: 'CodeSigning' },
      subject: [{ type: 'CN', value: 'Build' }, { type: 'O', value: 'Example' }],
      sans: [],
      key: KEYS.p256,
    };
    await expect(client.call(Commands.policyVerify, ca, verifyRequest(o))).resolves.toMatchObject({ verdict: 'pend' });
    await expect(client.call(Commands.policyVerify, ca, verifyRequest({ ...o, newRequest: false }))).resolves.toMatchObject({ verdict: 'issue' });
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{"requestId":')],
    ['wrong shape', encodeJson({ requestId: 'seven', newRequest: true })],
    ['unknown top-level field', encodeJson({ ...verifyRequest(), extra: 1 })],
  ])('answers a raw malformed message (%s) with BAD_MESSAGE and keeps serving', async (_n, payload) => {
    const raw = await nc.request(Commands.policyVerify.subject(ca), payload, { timeout: 5_000 });
    expect(decodeJson(raw.data)).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE', retryable: false } });
    await expect(client.call(Commands.policyVerify, ca, verifyRequest({ identity: renewing }))).resolves.toMatchObject({ verdict: 'issue' });
  });

  it('speaks the plain JSON envelope a module in any language can produce', async () => {
    const raw = await nc.request(Commands.policyVerify.subject(ca), encodeJson(verifyRequest({ identity: renewing })), { timeout: 5_000 });
    const body = decodeJson(raw.data) as { ok: boolean; data: { verdict: string } };
    expect(body.ok).toBe(true);
    expect(body.data.verdict).toBe('issue');
  });

  describe('module registration', () => {
    let sub: Subscription | undefined;
    afterEach(() => sub?.unsubscribe());

    it('announces itself on ca.<ca>.module.register', async () => {
      const seen: unknown[] = [];
      sub = nc.subscribe(Commands.moduleRegister.subject(ca), {
        callback: (_e, msg) => {
          const req = ModuleRegisterSchema.parse(decodeJson(msg.data));
          seen.push(req);
          const now = new Date().toISOString();
          msg.respond(encodeJson({ ok: true, data: { ...req, firstSeen: now, lastSeen: now } }));
        },
      });
      const announcer = new ModuleAnnouncer({
        register: () => client.call(Commands.moduleRegister, ca, { ...MODULE_INFO }),
        log: { log: () => undefined, debug: () => undefined, warn: () => undefined },
      });
      await expect(announcer.run()).resolves.toBe('registered');
      expect(seen).toEqual([{ kind: 'policy', name: 'signet-default-policy', description: MODULE_INFO.description, version: MODULE_INFO.version, eventMask: 0 }]);
    });

    it('does not block when ca-core is not there', async () => {
      const announcer = new ModuleAnnouncer({
        register: () => client.call(Commands.moduleRegister, `${ca}-nobody`, { ...MODULE_INFO }, { timeoutMs: 500 }),
        log: { log: () => undefined, debug: () => undefined, warn: () => undefined },
        attempts: 2,
        delayMs: () => 10,
      });
      await expect(announcer.run()).resolves.toBe('gave-up');
    });
  });
});

describe('policy-service over real NATS: the identity in a verify message decides', () => {
  const idCa = `${ca}-id`;
  let nc: NatsConnection;
  let app: INestMicroservice;
  let client: BusClient;
  // A template open to client certificates and to anonymous requesters (pending), names from the request, unproven ones pending.
  const policy = policyFrom({
    templates: {
      Web: {
        enroll: { methods: ['tls-client-certificate'], anonymous: 'pend' },
        names: { from: 'request', unproven: 'pend' },
        keys: [{ algorithm: 'ec', curves: ['P-256'] }],
        subject: { mode: 'cn-from-san' },
        san: { dns: { domains: ['example.com'], min: 1 } },
        validityDays: 30,
        keyUsage: ['digitalSignature'],
        extKeyUsage: ['serverAuth'],
      },
    },
  });
  const request = (identity?: Identity) =>
    verifyRequest({ attributes: { certificatetemplate: 'Web' }, key: KEYS.p256, sans: [{ type: 'dns', value: 'www.example.com' }], identity });
  const tlsClient = (names: string[]): Identity => ({
    method: 'tls-client-certificate',
    principal: 'CN=web01,serial=01',
    names: names.map((value) => ({ type: 'dns' as const, value })),
    groups: [],
    evidence: {},
  });

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL, name: 'policy-service.identity.spec' });
    app = await createBusMicroservice(AppModule.forRoot(policy), { connection: nc, ca: idCa, logger: false });
    await app.listen();
    client = new BusClient(nc, 5_000);
  });

  afterAll(async () => {
    await app?.close();
    await nc?.drain();
  });

  it('the same request: anonymous pends, a client certificate proving the name is issued, one proving another name pends on it, another method is denied', async () => {
    await expect(client.call(Commands.policyVerify, idCa, request())).resolves.toMatchObject({ verdict: 'pend', decidedBy: { rule: 'enroll.anonymous', value: 'anonymous' } });
    await expect(client.call(Commands.policyVerify, idCa, request(tlsClient(['www.example.com'])))).resolves.toMatchObject({ verdict: 'issue', decidedBy: { rule: 'disposition.issue' } });
    await expect(client.call(Commands.policyVerify, idCa, request(tlsClient(['api.example.com'])))).resolves.toMatchObject({
      verdict: 'pend',
      decidedBy: { rule: 'names.unproven', field: 'subjectAltName.dns', value: 'www.example.com' },
    });
    const oidc: Identity = { method: 'oidc', principal: 'https://idp.example.com#bob', names: [{ type: 'dns', value: 'www.example.com' }], groups: [], evidence: {} };
    await expect(client.call(Commands.policyVerify, idCa, request(oidc))).resolves.toMatchObject({
      verdict: 'deny',
      decidedBy: { rule: 'enroll.permission', field: 'identity', value: 'oidc:https://idp.example.com#bob' },
    });
  });

  it('refuses an identity that breaks the contract (an unknown method) with BAD_MESSAGE', async () => {
    const raw = await nc.request(Commands.policyVerify.subject(idCa), encodeJson({ ...request(), identity: { method: 'kerberos', principal: 'alice' } }), { timeout: 5_000 });
    expect(decodeJson(raw.data)).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
  });
});
