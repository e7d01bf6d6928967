import { startHarness, type Harness } from './harness';

describe('probes', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('GET /healthz → 200 while the process runs', async () => {
    const res = await fetch(h.url('/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz → 200 with the bus up and a CA discovered', async () => {
    const res = await fetch(h.url('/readyz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', bus: 'connected', cas: expect.any(Number) });
  });

  it('GET /readyz → 503 with Retry-After once the bus is gone; /healthz stays 200', async () => {
    await h.nc.close();
    const res = await fetch(h.url('/readyz'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'CA_UNAVAILABLE', details: { bus: 'disconnected' } });
    expect((await fetch(h.url('/healthz'))).status).toBe(200);
  });
});
