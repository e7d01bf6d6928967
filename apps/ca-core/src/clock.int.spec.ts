import { Commands } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { parseCertificate } from '@signet/x509';
import { FixedClock } from './clock';
import { startCaCore, type CaCoreHarness } from './testing/ca-core-harness';
import { makeCsr } from './testing/openssl';

// ca-core reads the time from its injected clock: a test sets it instead of waiting for it.

describe('ca-core on an injected clock', () => {
  const w = new ScratchDir();
  const start = new Date('2031-03-01T12:00:00Z');
  const clock = new FixedClock(start);
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore('clock', { SIGNET_CA_VALIDITY_DAYS: '30', SIGNET_BACKDATE_SECONDS: '0' }, { clock });
    h.setPolicy(() => ({ verdict: 'issue', message: 'ok', decidedBy: { rule: 'test' }, changes: { template: 'WebServer' } }));
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  it('ok/the CA made at start is valid from the clock\'s time (a minute back) for its configured days', () => {
    const ca = parseCertificate(Buffer.from(h.caPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    expect(ca.notBefore.toISOString()).toBe('2031-03-01T11:59:00.000Z');
    expect(ca.notAfter.toISOString()).toBe(new Date(Date.parse('2031-03-01T11:59:00Z') + 30 * 86_400_000).toISOString());
  });

  it('ok/a certificate issued now starts at the clock\'s time', async () => {
    clock.set(new Date('2031-03-02T08:30:15.600Z'));
    const r = await h.submitOnBus('alice', { request: makeCsr(w, 'clock', '/CN=clock.example.test'), attributes: 'Certificate-Template: WebServer' });
    expect(r.disposition).toBe('issued');
    const cert = parseCertificate(Buffer.from(r.certificate!.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    expect(cert.notBefore.toISOString()).toBe('2031-03-02T08:30:16.000Z');
  });

  it('ok/the CA certificate\'s state follows the clock: valid, then expired once the clock passes its notAfter', async () => {
    const state = async () => (await h.client.call(Commands.caProperties, h.ca, { names: ['CACertState'] })).properties.CACertState;
    clock.set(new Date('2031-03-10T00:00:00Z'));
    expect(await state()).toBe('valid');
    clock.set(new Date('2031-04-01T00:00:00Z'));
    expect(await state()).toBe('expired');
  });
});
