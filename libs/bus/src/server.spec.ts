import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, ErrorCode, SignetError, type CaRecord } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { BusClient, discoverCas } from './client';
import { encodeJson, decodeJson } from './codec';
import { createBusMicroservice } from './microservice';
import { type BusContext } from './server';

/** What the handler of caProperties saw last: the context's command, a header and the body bytes. */
const seen: { command?: string; header?: string; body?: string } = {};

// Real NATS: these tests cover the wire contract, so they never mock the bus.
const NATS_URL = process.env.SIGNET_NATS_URL ?? 'nats://127.0.0.1:4222';
const ca = `bus-${randomBytes(4).toString('hex')}`;

@Controller()
class TestController {
  @MessagePattern(Commands.retrieve.name)
  retrieve(@Payload() req: { requestId: number }) {
    if (req.requestId === 404) throw new SignetError(ErrorCode.NotFound, 'no request 404');
    if (req.requestId === 500) throw new Error('database exploded with secret detail');
    if (req.requestId === 501) return { nonsense: true };
    return { requestId: req.requestId, disposition: 'pending', dispositionCode: 5, message: 'waiting' };
  }

  @MessagePattern(Commands.caProperties.name)
  properties(@Payload() _req: unknown, @Ctx() ctx: BusContext) {
    Object.assign(seen, { command: ctx.command, header: ctx.header('X-Test'), body: Buffer.from(ctx.body).toString('utf8') });
    return { properties: {} };
  }

  @MessagePattern('signet.discovery')
  discovery(): CaRecord {
    return {
      name: ca,
      config: `host\\${ca}`,
      commonName: ca,
      sanitizedName: ca,
      description: '',
      status: 'online',
      isDefault: false,
      certificate: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n',
      notAfter: new Date().toISOString(),
      policy: null,
    };
  }
}

@Module({ controllers: [TestController] })
class TestModule {}

describe('BusServer + BusClient over real NATS', () => {
  let nc: NatsConnection;
  let app: INestMicroservice;
  let client: BusClient;

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
    app = await createBusMicroservice(TestModule, { connection: nc, ca, logger: false });
    await app.listen();
    client = new BusClient(nc, 2_000);
  });

  afterAll(async () => {
    await app.close();
    await nc.close();
  });

  it('sends headers computed from the exact body bytes, and the handler sees the command, the headers and those bytes', async () => {
    let signed: string | undefined;
    await client.call(Commands.caProperties, ca, { names: ['CAName'] }, { headers: (body) => ({ 'X-Test': (signed = Buffer.from(body).toString('utf8')).length.toString() }) });
    expect(signed).toBe(JSON.stringify({ names: ['CAName'] }));
    expect(seen).toEqual({ command: Commands.caProperties.name, header: String(signed!.length), body: signed });
  });

  it('serves a command on its CA subject and validates the reply', async () => {
    await expect(client.call(Commands.retrieve, ca, { requestId: 7 })).resolves.toMatchObject({ requestId: 7, disposition: 'pending' });
  });

  it('turns a SignetError into a typed error reply', async () => {
    await expect(client.call(Commands.retrieve, ca, { requestId: 404 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('hides unexpected errors behind INTERNAL without details', async () => {
    const err = await client.call(Commands.retrieve, ca, { requestId: 500 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'INTERNAL', message: 'internal error' });
  });

  it('refuses to send a reply that breaks the contract', async () => {
    await expect(client.call(Commands.retrieve, ca, { requestId: 501 })).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{nope')],
    ['wrong shape', encodeJson({ requestId: 'seven' })],
    ['unknown field', encodeJson({ requestId: 1, extra: true })],
    ['not UTF-8', new Uint8Array([0xff, 0xfe, 0x00])],
  ])('answers a raw bad message (%s) with BAD_MESSAGE and keeps serving', async (_n, payload) => {
    const reply = await nc.request(Commands.retrieve.subject(ca), payload, { timeout: 2_000 });
    expect(decodeJson(reply.data)).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE', retryable: false } });
    await expect(client.call(Commands.retrieve, ca, { requestId: 1 })).resolves.toMatchObject({ requestId: 1 });
  });

  it('names an unknown key escaped and cut short, so a huge or hostile key still gets a valid BAD_MESSAGE reply', async () => {
    const huge = `evil\r\n${'k'.repeat(200_000)}`;
    const reply = await nc.request(Commands.retrieve.subject(ca), encodeJson({ requestId: 1, [huge]: 1 }), { timeout: 2_000 });
    const body = decodeJson(reply.data) as { ok: false; error: { code: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE', message: `invalid ca.request.retrieve message: evil\\u000d\\u000a${'k'.repeat(58)}…: unknown field` } });
  });

  it('says CA_UNAVAILABLE when nobody serves the subject', async () => {
    await expect(client.call(Commands.retrieve, 'nobody-here', { requestId: 1 })).rejects.toMatchObject({ code: 'CA_UNAVAILABLE', retryable: true });
  });

  it('validates outgoing requests before they leave', async () => {
    await expect(client.call(Commands.retrieve, ca, { requestId: -1 })).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
  });

  it('discovers the CA by scatter-gather', async () => {
    const cas = await discoverCas(nc, 300);
    expect(cas.map((c) => c.name)).toContain(ca);
  });
});
