import { type NatsConnection } from '@nats-io/transport-node';
import { ExitEvent, type CaEvent } from '@signet/contracts';
import { randomBytes } from 'node:crypto';
import { type AttemptResult, type ModuleRunner } from '../delivery/module-runner';
import { caEvent } from '../testing/fixtures';
import { DeadLetterStore } from './dead-letter.store';
import { DeadLettersService } from './dead-letters.service';
import { onRealNats } from '../testing/nats';

// Replaying a module's dead letters in one go, against the real dead-letter stream.

let nc: NatsConnection;
onRealNats((c) => (nc = c));

async function setUp(attempt: (event: CaEvent) => Promise<AttemptResult>) {
  const ca = `dls-${randomBytes(4).toString('hex')}`;
  const store = new DeadLetterStore(nc, ca);
  await store.init();
  const events = [0, 1, 2].map(() => caEvent(ExitEvent.RequestDenied, {}, ca));
  const ids: string[] = [];
  for (const e of events) ids.push(await store.add({ module: 'hook', eventId: e.id, event: e.event, attempts: 4, lastError: 'receiver down', failedAt: new Date().toISOString() }, e));
  const runner = { attempt } as unknown as ModuleRunner;
  return { store, ids, events, service: new DeadLettersService(store, new Map([['hook', runner]])) };
}

describe('DeadLettersService.replayAll on real NATS', () => {
  it('ok/replays every one, oldest first, and skips one that went meanwhile', async () => {
    const delivered: string[] = [];
    // The runner calls this during replayAll, once `s` is set.
    const s = await setUp(async (e) => {
      delivered.push(e.id);
      if (delivered.length === 1) await s.store.remove(s.ids[1]); // another administrator replayed the second one meanwhile
      return { ok: true };
    });
    expect(await s.service.replayAll('hook', 100, 'adm')).toEqual({ module: 'hook', replayed: 2, failed: null, remaining: 0 });
    expect(delivered).toEqual([s.events[0].id, s.events[2].id]);
  });

  it('ok/stops at the first that fails again; it and the rest stay', async () => {
    const s = await setUp(async () => ({ ok: false, error: 'answered 503', permanent: false }));
    expect(await s.service.replayAll('hook', 100, 'adm')).toEqual({ module: 'hook', replayed: 0, failed: { id: s.ids[0], result: 'failed: answered 503' }, remaining: 3 });
  });

  it('ok/the limit bounds one call; the next one goes on', async () => {
    const s = await setUp(async () => ({ ok: true }));
    expect(await s.service.replayAll('hook', 2, 'adm')).toMatchObject({ replayed: 2, remaining: 1 });
    expect(await s.service.replayAll('hook', 2, 'adm')).toMatchObject({ replayed: 1, remaining: 0 });
  });

  it('fail/a module this exit-service does not run is WRONG_STATE', async () => {
    const s = await setUp(async () => ({ ok: true }));
    await expect(s.service.replayAll('other', 10, 'adm')).rejects.toMatchObject({ code: 'WRONG_STATE' });
  });
});
