import { connect } from '@nats-io/transport-node';
import { startPrivateNats, type PrivateNats } from '@signet/testing';
import { busAnswers } from './health';

// Real nats-server: a private one, so that it can be made to hang (SIGSTOP) without touching anyone else's.
describe('busAnswers', () => {
  let server: PrivateNats;
  beforeAll(async () => {
    server = await startPrivateNats();
  });
  afterAll(async () => {
    process.kill(server.pid, 'SIGCONT');
    await server.stop();
  });

  it('ok/an open connection to a live server', async () => {
    const nc = await connect({ servers: server.url });
    try {
      await expect(busAnswers(nc)).resolves.toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('fail/a closed connection', async () => {
    const nc = await connect({ servers: server.url });
    await nc.close();
    await expect(busAnswers(nc)).resolves.toBe(false);
  });

  it('fail/a draining connection', async () => {
    const nc = await connect({ servers: server.url });
    const drained = nc.drain();
    await expect(busAnswers(nc)).resolves.toBe(false);
    await drained;
  });

  it('fail/a server that does not answer the ping in time', async () => {
    const nc = await connect({ servers: server.url });
    process.kill(server.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      await expect(busAnswers(nc, 300)).resolves.toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await expect(busAnswers(nc)).resolves.toBe(true);
    await nc.close();
  });
});
