import { Commands, ErrorCode, Events, ExitEvent } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import {
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeKeyUsage,
  encodeSubjectAltName,
  fromPem,
  issueCertificate,
  OID,
  prepareCertificate,
  randomSerialHex,
  toPem,
} from '@signet/x509';
import { generateKeyPairSync } from 'node:crypto';
import { CaKeysService } from '../ca/ca-keys.service';
import { failure, startCaCore, type CaCoreHarness, issuing } from '../testing/ca-core-harness';
import { makeCsr, openssl } from '../testing/openssl';

/*
 * ICertAdmin::ImportCertificate through the real bus and database: a
 * certificate the CA's key signed that the database does not hold (as
 * after a restore from an older backup) is recorded as issued, evented,
 * audited, readable by exit modules, and revocable; duplicates, foreign
 * certificates and callers without the role are refused with nothing
 * written.
 */

const officer = { name: 'olivia', roles: ['officer' as const] };
const viewer = { name: 'victor', roles: ['viewer' as const] };
const auditor = { name: 'audrey', roles: ['auditor' as const] };

describe('ImportCertificate on the real bus and database', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;

  beforeAll(async () => {
    h = await startCaCore('admimport');
    h.setPolicy(issuing([{ oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) }], 'issued'));
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });


  /** A certificate signed with the CA's own key outside the issuance path: one the database never saw. */
  async function signedOutsideTheDatabase(cn: string): Promise<{ pem: string; serial: string }> {
    const ca = h.app.get(CaKeysService).ca;
    const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    const serial = randomSerialHex();
    const prepared = prepareCertificate(
      {
        serialHex: serial,
        subject: [{ type: 'CN', value: cn }],
        notBefore: ca.notBefore,
        notAfter: new Date(ca.notBefore.getTime() + 30 * 86_400_000),
        spki,
        extensions: [
          { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
          { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
          { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName([{ type: 'dns', value: cn }]) },
          { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(ca.keyId) },
        ],
      },
      { certificateDer: ca.certificateDer, signer: ca.signer },
    );
    return { pem: toPem(await issueCertificate(prepared), 'CERTIFICATE'), serial };
  }

  const importAs = (actor: typeof officer | typeof viewer, certificate: string) => h.client.call(Commands.adminImportCertificate, h.ca, { actor, certificate });
  const counts = async () =>
    (await h.ds.query(`SELECT (SELECT count(*)::int FROM request WHERE ca_name = $1) AS requests, (SELECT count(*)::int FROM certificate WHERE ca_name = $1) AS certificates, (SELECT count(*)::int FROM outbox WHERE subject = $2) AS events`, [
      h.ca,
      Events.subject(h.ca, ExitEvent.CertificateImported),
    ]))[0] as { requests: number; certificates: number; events: number };

  it('records the certificate as issued, with its event, its audit record and its read-back; it can then be revoked', async () => {
    const { pem, serial } = await signedOutsideTheDatabase('restored.example.test');
    const d = await importAs(officer, pem);
    expect(d).toMatchObject({
      disposition: 'issued',
      requestType: 'imported',
      request: null,
      requesterName: 'olivia',
      message: 'Imported by olivia',
      subject: 'CN=restored.example.test',
      template: null,
      certificate: { serial, status: { status: 'valid', requestId: d.requestId } },
    });
    // Byte for byte what was given.
    expect(fromPem(d.certificate!.pem, 'CERTIFICATE')).toEqual(fromPem(pem, 'CERTIFICATE'));
    // Its extensions are the certificate's, recorded as the CA's own (origin server).
    expect(d.extensions.map((e) => [e.oid, e.origin])).toEqual(expect.arrayContaining([[OID.subjectAltName, 'server'], [OID.keyUsage, 'server']]));

    const [event] = await h.ds.query(`SELECT payload FROM outbox WHERE subject = $1 AND payload->>'serial' = $2`, [Events.subject(h.ca, ExitEvent.CertificateImported), serial]);
    expect(event.payload).toMatchObject({ event: 'certificate.imported', eventBit: 0x200, requestId: d.requestId, disposition: 'issued', serial, subject: 'CN=restored.example.test', message: 'Imported by olivia' });
    expect(event.payload.certificate).toBe(d.certificate!.pem);

    const { entries } = await h.client.call(Commands.adminAuditList, h.ca, { actor: auditor, limit: 1000 });
    expect(entries.find((e) => e.action === 'certificate.import')).toMatchObject({ actor: 'olivia', requestId: d.requestId, serial, after: 'issued' });
    expect((await h.client.call(Commands.adminAuditVerify, h.ca, { actor: auditor })).ok).toBe(true);

    // ICertServerExit: an exit module reads it like any other, and sees there was no request.
    const read = await h.client.call(Commands.exitRead, h.ca, { requestId: d.requestId });
    expect(read.request).toMatchObject({ requestType: 'imported', rawRequest: null, disposition: 'issued', requesterName: 'olivia' });
    expect(read.certificate).toMatchObject({ serial, rawCertificate: d.certificate!.pem });

    // From here on it is the CA's like any other: revocable, with its status.
    const revoked = await h.client.call(Commands.adminRevoke, h.ca, { actor: officer, serial, reason: 4 });
    expect(revoked).toMatchObject({ serial, status: 'revoked', reason: 4, requestId: d.requestId });
  });

  it('fail/a serial the database holds already (imported before, or issued here) is ALREADY_EXISTS, and nothing is written', async () => {
    const { pem } = await signedOutsideTheDatabase('twice.example.test');
    const first = await importAs(officer, pem);
    const issued = await h.submitOnBus('alice', { request: makeCsr(w, 'here', '/CN=here.example.test') });
    expect(issued.disposition).toBe('issued');
    const before = await counts();
    expect(await failure(importAs(officer, pem))).toMatchObject({ code: ErrorCode.AlreadyExists, details: { serial: first.certificate!.serial, requestId: first.requestId } });
    expect(await failure(importAs(officer, issued.certificate!))).toMatchObject({ code: ErrorCode.AlreadyExists, details: { requestId: issued.requestId } });
    expect(await counts()).toEqual(before);
  });

  it('two officers importing the same certificate at once: one request, one certificate, one event', async () => {
    const { pem, serial } = await signedOutsideTheDatabase('race.example.test');
    const before = await counts();
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => importAs(officer, pem)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) expect(o.reason).toMatchObject({ code: ErrorCode.AlreadyExists, details: { serial } });
    expect(await counts()).toEqual({ requests: before.requests + 1, certificates: before.certificates + 1, events: before.events + 1 });
  });

  it('fail/a certificate of another CA, or the CA\'s own, is FOREIGN_CERTIFICATE; garbage is MALFORMED_CERTIFICATE; nothing is written', async () => {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', w.path('other.key'), '-out', w.path('other.pem'), '-subj', '/CN=Some Other CA', '-days', '2']);
    const before = await counts();
    expect(await failure(importAs(officer, w.read('other.pem')))).toMatchObject({ code: ErrorCode.ForeignCertificate });
    expect(await failure(importAs(officer, h.caPem))).toMatchObject({ code: ErrorCode.ForeignCertificate, message: expect.stringMatching(/the CA itself/) });
    expect(await failure(importAs(officer, toPem(Buffer.from('not a certificate'), 'CERTIFICATE')))).toMatchObject({ code: ErrorCode.MalformedCertificate });
    expect(await failure(importAs(officer, 'no pem at all'))).toMatchObject({ code: ErrorCode.BadMessage });
    expect(await counts()).toEqual(before);
  });

  it('fail/only certificate managers import: a viewer is FORBIDDEN, and the attempt is audited', async () => {
    const { pem } = await signedOutsideTheDatabase('viewer.example.test');
    const before = await counts();
    expect(await failure(importAs(viewer, pem))).toMatchObject({ code: ErrorCode.Forbidden, details: { action: 'importCertificate', needs: 'officer' } });
    expect(await counts()).toEqual(before);
    const { entries } = await h.client.call(Commands.adminAuditList, h.ca, { actor: auditor, limit: 1000 });
    expect(entries.some((e) => e.action === 'admin.forbidden' && e.actor === 'victor' && (e.details as { attempted?: string }).attempted === 'importCertificate')).toBe(true);
  });
});
