import { generateAssertionKeyPair } from '@signet/assertions';
import { type NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { discoverCas } from '@signet/bus';
import { type CaRecord } from '@signet/contracts';
import { loadConfig } from '../config/config';
import { DiscoveryService } from './discovery.service';
import { caRecord } from '../../test/ca-record';

// The cache policy is what is under test here; the scatter-gather itself is
// covered over real NATS in libs/bus and in test/cas.int.spec.ts.
jest.mock('@signet/bus', () => ({ discoverCas: jest.fn() }));
const discover = discoverCas as jest.MockedFunction<typeof discoverCas>;

const rec = (name: string, isDefault = false): CaRecord => caRecord(name, { isDefault });

const FRONT_DOOR_KEY = generateAssertionKeyPair().privateKeyPem;
const nc = { isClosed: () => false, isDraining: () => false } as unknown as NatsConnection;

describe('DiscoveryService', () => {
  let now: number;
  let onBus: CaRecord[];

  const service = (env: Record<string, string> = {}) =>
    new DiscoveryService(nc, loadConfig({ SIGNET_FRONT_DOOR_KEY: FRONT_DOOR_KEY, SIGNET_DISCOVERY_TTL_MS: '1000', ...env }));

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    onBus = [rec('alpha'), rec('beta', true)];
    discover.mockReset();
    discover.mockImplementation(async () => [...onBus]);
  });
  afterEach(() => jest.restoreAllMocks());

  it('asks the bus once within the TTL', async () => {
    const d = service();
    await d.list();
    now += 999;
    await d.list();
    expect(discover).toHaveBeenCalledTimes(1);
  });

  it('serves a stale list while it refreshes in the background', async () => {
    const d = service();
    await d.list();
    onBus = [rec('gamma')];
    now += 1_000;
    expect((await d.list()).map((c) => c.name)).toEqual(['alpha', 'beta']);
    await new Promise((r) => setImmediate(r));
    expect((await d.list()).map((c) => c.name)).toEqual(['gamma']);
    expect(discover).toHaveBeenCalledTimes(2);
  });

  it('fresh() answers from a list within the TTL, and waits for a new round instead of serving a stale one', async () => {
    const d = service();
    await d.list();
    onBus = [rec('gamma')];
    now += 999;
    expect((await d.fresh()).map((c) => c.name)).toEqual(['alpha', 'beta']);
    now += 1;
    expect((await d.fresh()).map((c) => c.name)).toEqual(['gamma']);
    expect(discover).toHaveBeenCalledTimes(2);
  });

  it('waits for a fresh round when the last one found nothing and has expired', async () => {
    onBus = [];
    const d = service();
    expect(await d.list()).toEqual([]);
    onBus = [rec('late')];
    now += 1_000;
    expect((await d.list()).map((c) => c.name)).toEqual(['late']);
  });

  it('shares one round between concurrent callers', async () => {
    const d = service();
    await Promise.all([d.list(), d.list(), d.find('alpha'), d.refresh()]);
    expect(discover).toHaveBeenCalledTimes(1);
  });

  it('asks again on a miss for a named CA, and finds a CA that just started', async () => {
    const d = service();
    await d.list();
    onBus = [...onBus, rec('new-ca')];
    expect((await d.resolve('new-ca')).name).toBe('new-ca');
    expect(discover).toHaveBeenCalledTimes(2);
  });

  it('UNKNOWN_CA for a name no CA answers to', async () => {
    await expect(service().resolve('nope')).rejects.toMatchObject({ code: 'UNKNOWN_CA', details: { ca: 'nope' } });
  });

  it('resolves the default as AD CS CC_DEFAULTCONFIG does', async () => {
    await expect(service().resolveDefault()).resolves.toMatchObject({ source: 'declared', ca: { name: 'beta' } });
    await expect(service({ SIGNET_DEFAULT_CA: 'alpha' }).resolveDefault()).resolves.toMatchObject({ source: 'configured', ca: { name: 'alpha' } });
  });

  it('CA_UNAVAILABLE when the configured default is not on the bus, or no CA is', async () => {
    await expect(service({ SIGNET_DEFAULT_CA: 'gone' }).resolve()).rejects.toMatchObject({ code: 'CA_UNAVAILABLE' });
    onBus = [];
    await expect(service().resolve()).rejects.toMatchObject({ code: 'CA_UNAVAILABLE' });
  });
});
