import { Commands, ErrorCode } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { encodeKeyUsage, fromPem, OID } from '@signet/x509';
import { X509Certificate } from 'node:crypto';
import { failure, startCaCore, type CaCoreHarness, issuing } from '../testing/ca-core-harness';
import { makeCsr } from '../testing/openssl';

/* ca.<ca>.certificate.get (SCEP GetCert, ADR 0040) through the real bus and database. */
describe('certificate read by serial', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore('certread');
    h.setPolicy(issuing([{ oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) }], 'issued'));
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  it('ok/an issued certificate by its serial: the certificate alone', async () => {
    const r = await h.submitOnBus('alice', { request: makeCsr(w, 'read', '/CN=read.example.test') });
    expect(r.disposition).toBe('issued');
    const got = await h.client.call(Commands.certificateBySerial, h.ca, { serial: r.serial! });
    expect(Object.keys(got).sort()).toEqual(['certificate', 'serial']);
    expect(got.serial).toBe(r.serial);
    expect(new X509Certificate(fromPem(got.certificate)).serialNumber.toLowerCase()).toBe(r.serial);
  });

  it('fail/a serial this CA never issued is NOT_FOUND; a malformed one is refused by the contract', async () => {
    expect(await failure(h.client.call(Commands.certificateBySerial, h.ca, { serial: '0123456789abcdef' }))).toMatchObject({ code: ErrorCode.NotFound });
    expect(await failure(h.client.call(Commands.certificateBySerial, h.ca, { serial: 'XYZ' } as never))).toMatchObject({ code: ErrorCode.BadMessage });
  });
});
