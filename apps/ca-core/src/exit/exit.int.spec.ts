import { decodeJson, encodeJson } from '@signet/bus';
import { Commands, ErrorCode, EXIT_EVENT_BIT, ExitRollCall, SignetError, type PolicyVerifyReply } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { encodeExtKeyUsage, encodeKeyUsage, encodeSubjectAltName, fromPem, OID } from '@signet/x509';
import { createHash } from 'node:crypto';
import { issuing, startCaCore, type CaCoreHarness } from '../testing/ca-core-harness';
import { waitFor } from '../testing/infra';
import { makeCsr } from '../testing/openssl';

/*
 * AD CS steps 1 (ICertExit::Initialize roll call) and 8 (ICertServerExit
 * read-back) with ca-core in process on the real PostgreSQL and NATS. Two
 * exit-module stand-ins listen on exit.<ca>.initialize before ca-core starts;
 * a third answers garbage, which must not hide the others.
 */

const issue = issuing([
  { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
  { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth]) },
  { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName([{ type: 'dns', value: 'www.exit.test' }]) },
]);
const pend = (): PolicyVerifyReply => ({ verdict: 'pend', message: 'needs approval' });

describe('exit modules: roll call and read-back (real bus and database)', () => {
  const w = new ScratchDir();
  let h: CaCoreHarness;
  const rollCallRequests: unknown[] = [];

  beforeAll(async () => {
    h = await startCaCore('exit', {}, {
      // Exit modules already on the bus when the CA starts: they answer the roll call.
      beforeStart: ({ ca, nc }) => {
        const answer = (reply: unknown) =>
          nc.subscribe(ExitRollCall.subject(ca), {
            callback: (_e, m) => {
              rollCallRequests.push(decodeJson(m.data));
              m.respond(encodeJson(reply));
            },
          });
        answer({ ok: true, data: { kind: 'exit', name: 'files', description: 'writes files', version: '1.2.3', eventMask: EXIT_EVENT_BIT['certificate.issued'] } });
        answer({ ok: true, data: { kind: 'exit', name: 'hooks', eventMask: 0x87 } });
        answer({ ok: true, data: { kind: 'exit', name: 'bad name with spaces' } });
        answer('not an envelope');
      },
    });
  });

  afterAll(async () => {
    await h?.close();
    w.remove();
  });

  it('asked every exit module on the bus at start with the CA (no certificate) and recorded each valid answer', async () => {
    const rows = await waitFor('two exit modules recorded', async () => {
      const r = await h.ds.query(`SELECT name, description, version, event_mask FROM module_registration WHERE ca_name = $1 AND kind = 'exit' ORDER BY name`, [h.ca]);
      return r.length === 2 ? r : undefined;
    });
    expect(rows).toEqual([
      { name: 'files', description: 'writes files', version: '1.2.3', event_mask: 0x1 },
      { name: 'hooks', description: '', version: '', event_mask: 0x87 },
    ]);
    const req = rollCallRequests[0] as { ca: Record<string, unknown> };
    expect(req.ca).toMatchObject({ name: h.ca, keyAlgorithm: 'ecdsa-p256' });
    expect(req.ca).not.toHaveProperty('certificate');
  });

  it('reads back an issued request: request properties, attributes, extensions, certificate', async () => {
    const csr = makeCsr(w, 'issued', '/CN=www.exit.test', ['subjectAltName=DNS:www.exit.test']);
    h.setPolicy(issue);
    const issued = await h.submitOnBus('carol', { request: csr, attributes: 'contact:carol@exit.test\nCertificateTemplate:WebServer' });
    expect([issued.disposition, issued.message]).toEqual(['issued', 'ok']);

    const r = await h.client.call(Commands.exitRead, h.ca, { requestId: issued.requestId });
    expect(r.request).toMatchObject({
      requestId: issued.requestId,
      disposition: 'issued',
      dispositionMessage: 'ok',
      requesterName: 'bus:carol',
      identity: { method: 'bus', principal: 'carol', names: [], groups: [], evidence: {} },
      requestType: 'pkcs10',
      attributesRaw: 'contact:carol@exit.test\nCertificateTemplate:WebServer',
      subject: 'CN=www.exit.test',
    });
    expect(r.request.resolvedWhen).not.toBeNull();
    expect(fromPem(r.request.rawRequest!, 'CERTIFICATE REQUEST')).toEqual(fromPem(csr, 'CERTIFICATE REQUEST'));
    expect(r.attributes).toEqual({ contact: 'carol@exit.test', certificatetemplate: 'WebServer' });
    // The CSR asked for a SAN (origin request); the policy set key usage, EKU and SAN (origin policy).
    expect(r.extensions.map((e) => `${e.origin}:${e.oid}`).sort()).toEqual(
      [`policy:${OID.extKeyUsage}`, `policy:${OID.keyUsage}`, `policy:${OID.subjectAltName}`, `request:${OID.subjectAltName}`].sort(),
    );
    expect(r.extensions.find((e) => e.oid === OID.keyUsage)).toMatchObject({ critical: true, disabled: false, value: encodeKeyUsage(['digitalSignature']).toString('base64') });
    expect(r.certificate).toMatchObject({ serial: issued.serial, rawCertificate: issued.certificate, subject: 'CN=www.exit.test', template: 'WebServer' });
    expect(r.certificate!.certificateHash).toBe(createHash('sha256').update(fromPem(issued.certificate!, 'CERTIFICATE')).digest('hex'));
    expect(Date.parse(r.certificate!.notAfter)).toBeGreaterThan(Date.parse(r.certificate!.notBefore));
  });

  it('reads back a pending request with no certificate', async () => {
    const csr = makeCsr(w, 'pending', '/CN=pending.exit.test');
    h.setPolicy(pend);
    const pending = await h.submitOnBus('dave', { request: csr, attributes: 'contact:dave@exit.test' });
    const r = await h.client.call(Commands.exitRead, h.ca, { requestId: pending.requestId });
    expect(r.request).toMatchObject({ disposition: 'pending', dispositionMessage: 'needs approval', resolvedWhen: null });
    expect(r.certificate).toBeNull();
  });

  it.each([
    ['an unknown request', { requestId: 987654321 }, ErrorCode.NotFound],
    ['a malformed id', { requestId: -4 }, ErrorCode.BadMessage],
    ['an attempt to write through it', { requestId: 1, disposition: 'issued' }, ErrorCode.BadMessage],
  ])('fail/%s gets a typed error', async (_n, body, code) => {
    const e = await h.client.call(Commands.exitRead, h.ca, body as never).then(
      () => undefined,
      (err: SignetError) => err,
    );
    expect(e).toBeInstanceOf(SignetError);
    expect(e!.code).toBe(code);
  });
});
