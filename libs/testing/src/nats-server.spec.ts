import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { existsSync } from 'node:fs';
import { startPrivateNats } from './nats-server';

describe('startPrivateNats', () => {
  it('ok/a JetStream server with an empty store on its own port, gone after stop', async () => {
    const a = await startPrivateNats();
    const b = await startPrivateNats();
    try {
      expect(a.url).not.toBe(b.url);
      const nc = await connect({ servers: a.url });
      const jsm = await jetstreamManager(nc);
      expect(await jsm.streams.names().next()).toEqual([]);
      await jsm.streams.add({ name: 'ONLY_HERE', subjects: ['only.here'] });
      const other = await connect({ servers: b.url });
      expect(await (await jetstreamManager(other)).streams.names().next()).toEqual([]);
      await Promise.all([nc.close(), other.close()]);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(existsSync(a.storeDir)).toBe(false);
  });
});
