import { headers, type NatsConnection } from '@nats-io/transport-node';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { generateAssertionKeyPair, loadSigningKey, loadVerifyKeys, signAdminAssertion, type SigningKey } from '@signet/assertions';
import { BusContext, createBusMicroservice, encodeJson, parseReply } from '@signet/bus';
import { AdminAssertion, Commands, ExitEvent, type Actor, type Command } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { type z } from 'zod';
import { ExitServiceModule } from '../app.module';
import { type ModuleRunner } from '../delivery/module-runner';
import { DeliveryStatus } from '../status/delivery-status';
import { caEvent } from '../testing/fixtures';
import { onRealNats } from '../testing/nats';
import { DeadLetterCredentials } from './dead-letter-credentials';
import { DeadLetterStore } from './dead-letter.store';
import { DeadLettersService } from './dead-letters.service';

/*
 * ADR 0028 on exit-service: a dead-letter command acts for the actor of
 * admin-api's assertion for `exit-service:<ca>`, and for nobody a message
 * merely names. Over real NATS, exit-service's own bus server and module,
 * a real dead-letter stream; no admin-api in between (this test signs as it).
 */

const ada: Actor = { name: 'ada', roles: ['ca-admin'] };
const olivia: Actor = { name: 'olivia', roles: ['officer'] };
const vera: Actor = { name: 'vera', roles: ['viewer'] };

let nc: NatsConnection;
onRealNats((c) => (nc = c));

describe('exit-service believes a dead-letter actor only from admin-api\'s assertion', () => {
  const ca = `dlc-${randomBytes(4).toString('hex')}`;
  const pair = generateAssertionKeyPair();
  const key = loadSigningKey(pair.privateKeyPem);
  const foreign = loadSigningKey(generateAssertionKeyPair().privateKeyPem);
  const delivered: string[] = [];
  let store: DeadLetterStore;
  let app: INestMicroservice;

  beforeAll(async () => {
    store = new DeadLetterStore(nc, ca);
    await store.init();
    const runner = { attempt: async (e: { id: string }) => (delivered.push(e.id), { ok: true }) } as unknown as ModuleRunner;
    app = await createBusMicroservice(
      ExitServiceModule.register({
        deadLetters: new DeadLettersService(store, new Map([['hook', runner]])),
        credentials: new DeadLetterCredentials(ca, loadVerifyKeys(pair.publicKeyPem)),
        status: new DeliveryStatus(nc, ca, [], store),
      }),
      { connection: nc, ca, logger: false },
    );
    await app.listen();
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  const deadLetter = async (): Promise<string> => {
    const e = caEvent(ExitEvent.RequestDenied, {}, ca);
    return store.add({ module: 'hook', eventId: e.id, event: e.event, attempts: 4, lastError: 'receiver down', failedAt: new Date().toISOString() }, e);
  };

  interface Signed {
    actor?: Actor;
    key?: SigningKey;
    audience?: string;
    /** Sign for this command instead of the one sent. */
    command?: string;
    /** Sign these bytes instead of the ones sent. */
    body?: unknown;
    now?: Date;
  }

  /** What admin-api sends, or (with `as`) something else; `as: null` sends no assertion. */
  async function send<Req extends z.ZodType, Rep extends z.ZodType>(cmd: Command<Req, Rep>, body: unknown, as: Signed | null): Promise<z.output<Rep>> {
    const bytes = encodeJson(body);
    const h = headers();
    if (as) {
      const jwt = await signAdminAssertion(as.key ?? key, {
        ca,
        audience: as.audience ?? AdminAssertion.exitAudience(ca),
        command: as.command ?? cmd.name,
        body: as.body === undefined ? bytes : encodeJson(as.body),
        actor: as.actor,
        now: as.now,
      });
      h.set(AdminAssertion.header, jwt);
    }
    const reply = await nc.request(cmd.subject(ca), bytes, { timeout: 5_000, headers: h });
    return parseReply(cmd, reply.data);
  }

  /** The same bytes and assertion again, as a copy taken off the bus. */
  async function sendTwice<Req extends z.ZodType, Rep extends z.ZodType>(cmd: Command<Req, Rep>, body: unknown, actor: Actor): Promise<[z.output<Rep>, Promise<z.output<Rep>>]> {
    const bytes = encodeJson(body);
    const h = headers();
    h.set(AdminAssertion.header, await signAdminAssertion(key, { ca, audience: AdminAssertion.exitAudience(ca), command: cmd.name, body: bytes, actor }));
    const once = async () => parseReply(cmd, (await nc.request(cmd.subject(ca), bytes, { timeout: 5_000, headers: h })).data);
    const first = await once();
    return [first, once()];
  }

  const refused = (reason: string) => ({ code: 'UNAUTHORIZED', details: { reason } });

  it('fail/a command without an assertion is UNAUTHORIZED; an actor written into the body is BAD_MESSAGE; nothing is replayed', async () => {
    const id = await deadLetter();
    await expect(send(Commands.deadLetterReplay, { id }, null)).rejects.toMatchObject(refused('malformed'));
    await expect(send(Commands.deadLetterReplay, { id, actor: 'root' }, null)).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
    await expect(send(Commands.deadLetterDiscard, { id, actor: 'root' }, null)).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
    await expect(send(Commands.deadLetterReplayAll, { module: 'hook', limit: 10 }, null)).rejects.toMatchObject(refused('malformed'));
    await expect(send(Commands.deadLetterList, {}, null)).rejects.toMatchObject(refused('malformed'));
    expect(await store.get(id)).toBeDefined();
    expect(delivered).toEqual([]);
  });

  it('fail/an assertion for ca-core is refused (wrong-audience), as one for another CA', async () => {
    const id = await deadLetter();
    await expect(send(Commands.deadLetterReplay, { id }, { actor: ada, audience: AdminAssertion.audience(ca) })).rejects.toMatchObject(refused('wrong-audience'));
    await expect(send(Commands.deadLetterDiscard, { id }, { actor: ada, audience: AdminAssertion.exitAudience('other') })).rejects.toMatchObject(refused('wrong-audience'));
    expect(await store.get(id)).toBeDefined();
  });

  it('fail/an assertion for another body, another command, from an unknown key or expired is refused', async () => {
    const [id, other] = [await deadLetter(), await deadLetter()];
    await expect(send(Commands.deadLetterDiscard, { id }, { actor: ada, body: { id: other } })).rejects.toMatchObject(refused('wrong-body'));
    await expect(send(Commands.deadLetterDiscard, { id }, { actor: ada, command: Commands.deadLetterList.name })).rejects.toMatchObject(refused('wrong-command'));
    await expect(send(Commands.deadLetterDiscard, { id }, { actor: ada, key: foreign })).rejects.toMatchObject(refused('unknown-key'));
    await expect(send(Commands.deadLetterDiscard, { id }, { actor: ada, now: new Date(Date.now() - 120_000) })).rejects.toMatchObject(refused('expired'));
    await expect(send(Commands.deadLetterDiscard, { id }, {})).rejects.toMatchObject(refused('bad-claims'));
    expect(await store.get(id)).toBeDefined();
    expect(await store.get(other)).toBeDefined();
  });

  it('fail/a replayed assertion is refused, for a change and for a read', async () => {
    const [id, second] = [await deadLetter(), await deadLetter()];
    const [discarded, again] = await sendTwice(Commands.deadLetterDiscard, { id }, ada);
    expect(discarded).toMatchObject({ id, discarded: true });
    await expect(again).rejects.toMatchObject(refused('replayed'));
    const [listed, listedAgain] = await sendTwice(Commands.deadLetterList, { module: 'hook', limit: 1000 }, olivia);
    expect(listed.deadLetters.map((d) => d.id)).toContain(second);
    await expect(listedAgain).rejects.toMatchObject(refused('replayed'));
  });

  it('fail/a verified actor without the role is FORBIDDEN: officers list, only CA administrators replay or discard', async () => {
    const id = await deadLetter();
    await expect(send(Commands.deadLetterReplay, { id }, { actor: olivia })).rejects.toMatchObject({ code: 'FORBIDDEN', details: { reason: 'MISSING_ROLE', required: ['ca-admin'] } });
    await expect(send(Commands.deadLetterDiscard, { id }, { actor: olivia })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(send(Commands.deadLetterReplayAll, { module: 'hook', limit: 1 }, { actor: olivia })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(send(Commands.deadLetterList, {}, { actor: vera })).rejects.toMatchObject({ code: 'FORBIDDEN', details: { required: ['ca-admin', 'officer'] } });
    expect((await send(Commands.deadLetterList, {}, { actor: olivia })).deadLetters.map((d) => d.id)).toContain(id);
    expect(await store.get(id)).toBeDefined();
  });

  it('ok/a valid assertion acts, and the actor recorded is the asserted one', async () => {
    const info = jest.spyOn(Logger.prototype, 'log');
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const [id, gone] = [await deadLetter(), await deadLetter()];
    const stored = (await store.get(id))!;
    expect(await send(Commands.deadLetterReplay, { id }, { actor: ada })).toEqual({ id, replayed: true, result: 'delivered' });
    expect(delivered).toContain(stored.event.id);
    expect(await store.get(id)).toBeUndefined();
    expect(info.mock.calls.map(([m]) => String(m))).toContain(`dead letter ${id} (hook, event ${stored.event.id}) replayed by ada: delivered`);
    expect(await send(Commands.deadLetterDiscard, { id: gone }, { actor: ada })).toMatchObject({ id: gone, discarded: true });
    expect(warn.mock.calls.map(([m]) => String(m)).some((m) => m.startsWith(`dead letter ${gone} `) && m.includes('discarded by ada'))).toBe(true);
    expect(await send(Commands.deadLetterReplayAll, { module: 'hook', limit: 1000 }, { actor: ada })).toMatchObject({ module: 'hook', failed: null, remaining: 0 });
    expect(info.mock.calls.map(([m]) => String(m)).some((m) => m.startsWith('dead letters of hook replayed by ada:'))).toBe(true);
  });

  it('ok/exit status takes no assertion (the intermediary\'s readiness asks for it too)', async () => {
    expect(await send(Commands.exitStatus, {}, null)).toEqual({ modules: [] });
  });

  it('fail/with no admin-api key configured every dead-letter command is refused (unknown-key)', async () => {
    const bytes = encodeJson({});
    const h = headers();
    h.set(AdminAssertion.header, await signAdminAssertion(key, { ca, audience: AdminAssertion.exitAudience(ca), command: Commands.deadLetterList.name, body: bytes, actor: ada }));
    const ctx = new BusContext([Commands.deadLetterList.subject(ca), Commands.deadLetterList.name, h, bytes]);
    await expect(new DeadLetterCredentials(ca, undefined).actor(ctx, 'list')).rejects.toMatchObject(refused('unknown-key'));
  });
});
