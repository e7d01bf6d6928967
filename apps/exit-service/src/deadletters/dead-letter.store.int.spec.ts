import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { encodeJson } from '@signet/bus';
import { ExitEvent } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { caEvent } from '../testing/fixtures';
import { DeadLetters, DeadLetterStore } from './dead-letter.store';
import { onRealNats } from '../testing/nats';

// Dead letters in their JetStream stream on a nats-server of this file's own: what a list finds after
// replays and discards removed some, first on an empty store, then on the same server once it holds
// other streams' history and other CAs' dead letters (ADR 0015).

let nc: NatsConnection;
onRealNats((c) => (nc = c));

async function storeWith(modules: string[]): Promise<{ store: DeadLetterStore; ids: string[]; ca: string }> {
  const ca = `dl-${randomBytes(4).toString('hex')}`;
  const store = new DeadLetterStore(nc, ca);
  await store.init();
  const ids: string[] = [];
  for (const module of modules) {
    const e = caEvent(ExitEvent.RequestDenied, {}, ca);
    ids.push(await store.add({ module, eventId: e.id, event: e.event, attempts: 4, lastError: 'receiver down', failedAt: new Date().toISOString() }, e));
  }
  return { store, ids, ca };
}

/** What a server that has been in use holds: another stream with deletions, and other CAs' dead letters, some removed. */
async function useTheServer(): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: `OTHER_${randomBytes(3).toString('hex')}`, subjects: [`other.${randomBytes(3).toString('hex')}.>`] }).then(async (s) => {
    const js = jetstream(nc);
    const seqs: number[] = [];
    for (let i = 0; i < 50; i++) seqs.push((await js.publish(`${s.config.subjects[0].slice(0, -1)}${i % 3}`, 'x')).seq);
    for (const q of seqs.filter((_, i) => i % 4 === 0)) await jsm.streams.deleteMessage(s.config.name, q);
  });
  for (let i = 0; i < 3; i++) {
    const { store, ids } = await storeWith(['hook', 'hook', 'mail', 'hook']);
    await store.remove(ids[3]);
    await store.remove(ids[0]);
  }
}

const cases = () => {
  it('ok/after the newest and then the oldest of a module were removed, the one between is still listed (and counted)', async () => {
    const { store, ids } = await storeWith(['hook', 'hook', 'hook']);
    await store.remove(ids[2]);
    await store.remove(ids[0]);
    expect((await store.list({ module: 'hook', limit: 10 })).map((d) => d.id)).toEqual([ids[1]]);
    expect((await store.list({ limit: 10 })).map((d) => d.id)).toEqual([ids[1]]);
    expect(await store.count('hook')).toBe(1);
  });

  it('ok/whatever is removed in whatever order, the list is exactly what remains, oldest first', async () => {
    const modules = ['a', 'b', 'a', 'a', 'b', 'a', 'a.x', 'a'];
    for (const order of [[7, 0, 3], [0, 7, 5, 2], [1, 4], [3, 2, 5]]) {
      const { store, ids } = await storeWith(modules);
      for (const i of order) expect(await store.remove(ids[i])).toBe(true);
      const left = (m?: string) => ids.filter((_, i) => !order.includes(i) && (m === undefined || modules[i] === m));
      for (const m of ['a', 'b', 'a.x']) {
        expect((await store.list({ module: m, limit: 100 })).map((d) => d.id)).toEqual(left(m));
        expect(await store.count(m)).toBe(left(m).length);
      }
      expect((await store.list({ limit: 100 })).map((d) => d.id)).toEqual(left());
    }
  });

  it("ok/one module's list leaves out the others', oldest first, up to the limit", async () => {
    const { store, ids } = await storeWith(['a', 'b', 'a', 'a.x', 'a']);
    expect((await store.list({ module: 'a', limit: 10 })).map((d) => d.id)).toEqual([ids[0], ids[2], ids[4]]);
    expect((await store.list({ module: 'a', limit: 2 })).map((d) => d.id)).toEqual([ids[0], ids[2]]);
    expect((await store.list({ module: 'a.x', limit: 10 })).map((d) => d.id)).toEqual([ids[3]]);
    expect((await store.list({ limit: 10 })).map((d) => d.id)).toEqual(ids);
    expect([await store.count('a'), await store.count('b'), await store.count('nobody')]).toEqual([3, 1, 0]);
  });

  it('ok/a second record of the same (module, event) is the same dead letter', async () => {
    const { store } = await storeWith([]);
    const e = caEvent(ExitEvent.RequestDenied, {}, (store as unknown as { ca: string }).ca);
    const d = { module: 'hook', eventId: e.id, event: e.event, attempts: 4, lastError: 'down', failedAt: new Date().toISOString() };
    expect(await store.add(d, e)).toBe(await store.add(d, e));
    expect(await store.count('hook')).toBe(1);
  });

  it("fail/another CA's dead letter is neither listed, counted nor read", async () => {
    const mine = await storeWith(['hook']);
    const theirs = await storeWith(['hook']);
    expect((await mine.store.list({ limit: 10 })).map((d) => d.id)).toEqual(mine.ids);
    expect(await mine.store.get(theirs.ids[0])).toBeUndefined();
  });
};

describe('DeadLetterStore on a nats-server with an empty store', cases);

describe('DeadLetterStore on the same server once it was used', () => {
  beforeAll(useTheServer);
  cases();
});

describe('DeadLetterStore moving the legacy stream', () => {
  it('ok/dead letters of SIGNET_DEADLETTERS (one subject per module) are moved, every CA, none lost, and the old stream deleted', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(DeadLetters.stream).catch(() => false);
    await jsm.streams.add({ name: DeadLetters.legacyStream, subjects: ['deadletter.>'] });
    const js = jetstream(nc);
    const put = async (ca: string, module: string) => {
      const e = caEvent(ExitEvent.CertificateIssued, {}, ca);
      const deadLetter = { module, eventId: e.id, event: e.event, attempts: 3, lastError: 'down', failedAt: new Date().toISOString() };
      return (await js.publish(`deadletter.${ca}.${module}`, encodeJson({ deadLetter, event: e }))).seq;
    };
    const seqs = [await put('one', 'hook'), await put('one', 'hook'), await put('two', 'mail'), await put('one', 'hook')];
    await jsm.streams.deleteMessage(DeadLetters.legacyStream, seqs[3]);
    await jsm.streams.deleteMessage(DeadLetters.legacyStream, seqs[0]);
    const one = new DeadLetterStore(nc, 'one');
    await one.init();
    expect((await one.list({ module: 'hook', limit: 10 })).map((d) => d.module)).toEqual(['hook']);
    const two = new DeadLetterStore(nc, 'two');
    await two.init();
    expect((await two.list({ limit: 10 })).map((d) => d.module)).toEqual(['mail']);
    await expect(jsm.streams.info(DeadLetters.legacyStream)).rejects.toThrow();
  });
});
