import { type NatsConnection } from '@nats-io/transport-node';
import { ExitEvent } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { caEvent } from '../testing/fixtures';
import { DeadLetterStore } from './dead-letter.store';
import { onRealNats } from '../testing/nats';

// Dead letters in their JetStream stream on a real nats-server: what a list finds after replays and discards removed some.

let nc: NatsConnection;
onRealNats((c) => (nc = c));

async function storeWith(modules: string[]): Promise<{ store: DeadLetterStore; ids: string[] }> {
  const ca = `dl-${randomBytes(4).toString('hex')}`;
  const store = new DeadLetterStore(nc, ca);
  await store.init();
  const ids: string[] = [];
  for (const module of modules) {
    const e = caEvent(ExitEvent.RequestDenied, {}, ca);
    ids.push(await store.add({ module, eventId: e.id, event: e.event, attempts: 4, lastError: 'receiver down', failedAt: new Date().toISOString() }, e));
  }
  return { store, ids };
}

describe('DeadLetterStore on real NATS', () => {
  it('ok/after the newest and then the oldest of a module were removed, the one between is still listed (and counted)', async () => {
    const { store, ids } = await storeWith(['hook', 'hook', 'hook']);
    await store.remove(ids[2]);
    await store.remove(ids[0]);
    expect((await store.list({ module: 'hook', limit: 10 })).map((d) => d.id)).toEqual([ids[1]]);
    expect(await store.count('hook')).toBe(1);
  });

  it('ok/one module\'s list leaves out the others\', oldest first, up to the limit', async () => {
    const { store, ids } = await storeWith(['a', 'b', 'a', 'a.x', 'a']);
    expect((await store.list({ module: 'a', limit: 10 })).map((d) => d.id)).toEqual([ids[0], ids[2], ids[4]]);
    expect((await store.list({ module: 'a', limit: 2 })).map((d) => d.id)).toEqual([ids[0], ids[2]]);
    expect((await store.list({ module: 'a.x', limit: 10 })).map((d) => d.id)).toEqual([ids[3]]);
    expect((await store.list({ limit: 10 })).map((d) => d.id)).toEqual(ids);
    expect([await store.count('a'), await store.count('b'), await store.count('nobody')]).toEqual([3, 1, 0]);
  });
});
