import { type CaRecord } from '@signet/contracts';
import { CSR_PEM, postJson, startHarness, uniqueCaName, type Harness } from './harness';
import { FakeCa } from './fake-ca';

describe('CA discovery and CA reads over real NATS', () => {
  let h: Harness;
  let second: FakeCa;
  let coreDown: FakeCa;

  beforeAll(async () => {
    h = await startHarness({}, async (nc) => {
      second = await new FakeCa(uniqueCaName(), true).start(nc);
      coreDown = await new FakeCa(uniqueCaName()).start(nc, { discoveryOnly: true });
    });
  });
  afterAll(async () => {
    await second.stop();
    await coreDown.stop();
    await h.close();
  });

  it('GET /api/v1/cas lists every CA found and the configured default', async () => {
    const res = await fetch(h.url('/api/v1/cas'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { default: unknown; cas: CaRecord[] };
    expect(body.default).toEqual({ name: h.ca.name, source: 'configured', available: true });
    const names = body.cas.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining([h.ca.name, second.name, coreDown.name]));
    expect(body.cas.find((c) => c.name === second.name)).toMatchObject({ isDefault: true, config: `fakehost\\${second.name}` });
  });

  it('GET /api/v1/cas/default answers CC_DEFAULTCONFIG', async () => {
    const res = await fetch(h.url('/api/v1/cas/default'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ source: 'configured', ca: { name: h.ca.name } });
  });

  it('GET /api/v1/cas/:ca answers one record, 404 UNKNOWN_CA otherwise', async () => {
    expect(await (await fetch(h.url(`/api/v1/cas/${second.name}`))).json()).toMatchObject({ name: second.name });
    for (const name of [uniqueCaName('nope'), 'Bad_Name']) {
      const res = await fetch(h.url(`/api/v1/cas/${name}`));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'UNKNOWN_CA' });
    }
  });

  it('submits to a CA named in the body', async () => {
    second.onSubmit = () => FakeCa.submitted(7, 'pending');
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, ca: second.name });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/v1/requests/7?ca=${second.name}`);
    expect(second.submits).toHaveLength(1);
  });

  it('finds a CA that started after the last discovery round (refresh on a miss)', async () => {
    await fetch(h.url('/api/v1/cas'));
    const late = await new FakeCa(uniqueCaName()).start(h.nc);
    try {
      const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, ca: late.name });
      expect(res.status).toBe(201);
      expect(late.submits).toHaveLength(1);
    } finally {
      await late.stop();
    }
  });

  it('503 CA_UNAVAILABLE with Retry-After when a discovered CA has no one serving requests', async () => {
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, ca: coreDown.name });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'CA_UNAVAILABLE', details: { ca: coreDown.name } });
  });

  describe('GET /api/v1/cas/:ca/certificate', () => {
    it('JSON by default', async () => {
      const res = await fetch(h.url(`/api/v1/cas/${h.ca.name}/certificate`));
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ ca: h.ca.name, certificate: expect.stringContaining('BEGIN CERTIFICATE') });
      expect(body.chain).toBeUndefined();
    });

    it('with the chain when asked', async () => {
      const body = (await (await fetch(h.url(`/api/v1/cas/${h.ca.name}/certificate?chain=true`))).json()) as { chain: string[] };
      expect(body.chain).toHaveLength(2);
    });

    it('PEM with ?format=pem or Accept: application/pem-certificate-chain', async () => {
      const byQuery = await fetch(h.url(`/api/v1/cas/${h.ca.name}/certificate?format=pem&chain=true`));
      expect(byQuery.status).toBe(200);
      expect(byQuery.headers.get('content-type')).toMatch(/^application\/pem-certificate-chain/);
      expect((await byQuery.text()).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      const byAccept = await fetch(h.url(`/api/v1/cas/${h.ca.name}/certificate`), { headers: { accept: 'application/pem-certificate-chain' } });
      expect(byAccept.headers.get('content-type')).toMatch(/^application\/pem-certificate-chain/);
      expect((await byAccept.text()).match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    });

    it.each(['format=der', 'chain=maybe'])('400 BAD_MESSAGE for ?%s', async (q) => {
      const res = await fetch(h.url(`/api/v1/cas/${h.ca.name}/certificate?${q}`));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'BAD_MESSAGE' });
    });

    it('503 when the CA core does not answer', async () => {
      const res = await fetch(h.url(`/api/v1/cas/${coreDown.name}/certificate`));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    });
  });

  describe('GET /api/v1/cas/:ca/properties', () => {
    it('asks for the named properties', async () => {
      const res = await fetch(h.url(`/api/v1/cas/${h.ca.name}/properties?names=CAName,Templates`));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ca: h.ca.name, properties: { CAName: h.ca.name, Templates: null } });
    });

    it('400 BAD_MESSAGE for a property AD CS does not have', async () => {
      const res = await fetch(h.url(`/api/v1/cas/${h.ca.name}/properties?names=Password`));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'BAD_MESSAGE', details: { field: 'names' } });
    });
  });
});
