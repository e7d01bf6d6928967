import { startPrivateNats, type PrivateNats } from '@signet/testing';
import { FakeCa } from './fake-ca';
import { CSR_PEM, postJson, startHarness, uniqueCaName, type Harness } from './harness';

/*
 * CC_DEFAULTCONFIG when nothing is configured, on a nats-server of this
 * file's own: the shared bus carries other tests' CAs, and what is under
 * test here is exactly how many CAs answer discovery.
 */
let nats: PrivateNats;
beforeAll(async () => {
  nats = await startPrivateNats();
});
afterAll(() => nats.stop());

/** No SIGNET_DEFAULT_CA (the harness sets one unless told otherwise). */
const noDefault = () => ({ SIGNET_NATS_URL: nats.url, SIGNET_DEFAULT_CA: '' });

describe('one CA on the bus, no default configured', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(noDefault());
  });
  afterAll(() => h.close());

  it('a request that names no CA goes to it', async () => {
    h.ca.onSubmit = () => FakeCa.submitted(3, 'issued');
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ ca: h.ca.name, requestId: 3 });
    expect(h.ca.submits).toHaveLength(1);
  });

  it('GET /api/v1/cas/default and /api/v1/cas name it', async () => {
    expect(await (await fetch(h.url('/api/v1/cas/default'))).json()).toMatchObject({ source: 'first', ca: { name: h.ca.name } });
    const list = (await (await fetch(h.url('/api/v1/cas'))).json()) as { default: unknown };
    expect(list.default).toEqual({ name: h.ca.name, source: 'first', available: true });
  });
});

describe('several CAs on the bus, no default configured', () => {
  let h: Harness;
  let second: FakeCa;
  let third: FakeCa;
  beforeAll(async () => {
    h = await startHarness({ ...noDefault(), SIGNET_DISCOVERY_TTL_MS: '600000' }, async (nc) => {
      second = await new FakeCa(uniqueCaName()).start(nc);
      third = await new FakeCa(uniqueCaName()).start(nc);
    });
  });
  afterAll(async () => {
    await second.stop();
    await third.stop();
    await h.close();
  });

  const names = () => [h.ca.name, second.name, third.name].sort();

  it('a request that names no CA gets 400 CA_REQUIRED listing every CA, and goes nowhere', async () => {
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string; details: { cas: string[] } };
    expect(body).toEqual({
      code: 'CA_REQUIRED',
      message: `several CAs are on the bus and none is the default: name one with "ca" (in the body or ?ca=), or set SIGNET_DEFAULT_CA on the intermediary; CAs: ${names().join(', ')}`,
      details: { cas: names() },
    });
    expect([h.ca.submits, second.submits, third.submits].flat()).toEqual([]);
  });

  it('so do a retrieve without ?ca and GET /api/v1/cas/default; GET /api/v1/cas shows no default', async () => {
    for (const path of ['/api/v1/requests/1', '/api/v1/cas/default']) {
      const res = await fetch(h.url(path));
      expect([path, res.status]).toEqual([path, 400]);
      expect(await res.json()).toMatchObject({ code: 'CA_REQUIRED', details: { cas: names() } });
    }
    expect(h.ca.retrieves).toEqual([]);
    const list = (await (await fetch(h.url('/api/v1/cas'))).json()) as { default: unknown; cas: { name: string }[] };
    expect(list.default).toBeNull();
    expect(list.cas.map((c) => c.name)).toEqual(names());
  });

  it('a request that names a CA goes to it', async () => {
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, ca: third.name });
    expect(res.status).toBe(201);
    expect(third.submits).toHaveLength(1);
  });

  it('asks the bus again before refusing: once the others are gone, the one left is used', async () => {
    await second.stop();
    await third.stop();
    // The cached list (TTL 10 minutes) still holds all three.
    expect(((await (await fetch(h.url('/api/v1/cas'))).json()) as { cas: unknown[] }).cas).toHaveLength(3);
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ ca: h.ca.name });
  });
});

describe('several CAs on the bus, a default chosen', () => {
  let h: Harness;
  let other: FakeCa;
  let declaring: FakeCa;
  beforeAll(async () => {
    h = await startHarness({ SIGNET_NATS_URL: nats.url }, async (nc) => {
      other = await new FakeCa(uniqueCaName()).start(nc);
      declaring = await new FakeCa(uniqueCaName(), true).start(nc);
    });
  });
  afterAll(async () => {
    await other.stop();
    await declaring.stop();
    await h.close();
  });

  it('SIGNET_DEFAULT_CA is used over a CA that declares itself default', async () => {
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ ca: h.ca.name });
    expect(h.ca.submits).toHaveLength(1);
    expect(await (await fetch(h.url('/api/v1/cas/default'))).json()).toMatchObject({ source: 'configured', ca: { name: h.ca.name } });
  });

  it('without it, the one CA that declares itself default (SIGNET_CA_DEFAULT) is used', async () => {
    const d = await startHarness(noDefault());
    try {
      const res = await postJson(d.url('/api/v1/requests'), { csr: CSR_PEM });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ ca: declaring.name });
      expect(await (await fetch(d.url('/api/v1/cas/default'))).json()).toMatchObject({ source: 'declared', ca: { name: declaring.name } });
    } finally {
      await d.close();
    }
  });

  it('two CAs declaring themselves default: 400 CA_REQUIRED listing the two', async () => {
    const rival = await new FakeCa(uniqueCaName(), true).start(h.nc);
    const d = await startHarness(noDefault());
    try {
      const res = await postJson(d.url('/api/v1/requests'), { csr: CSR_PEM });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; message: string; details: { cas: string[] } };
      const declared = [declaring.name, rival.name].sort();
      expect(body).toMatchObject({ code: 'CA_REQUIRED', details: { cas: declared } });
      expect(body.message).toMatch(/^several CAs declare themselves the default \(SIGNET_CA_DEFAULT\): name one/);
      expect(body.message).toContain(`CAs: ${declared.join(', ')}`);
    } finally {
      await d.close();
      await rival.stop();
    }
  });
});
