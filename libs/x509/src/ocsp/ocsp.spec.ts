import { ErrorCode } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { OID } from '../oids';
import {
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeOcspNoCheck,
  encodeSubjectAltName,
  encodeSubjectKeyIdentifier,
  subjectKeyIdentifier,
} from '../extensions';
import { generateKeyPair } from '../keys';
import { createSigner, type Signer } from '../signer';
import { randomSerialHex } from '../serial';
import { issueCertificate, prepareCertificate } from '../certificate';
import { createSelfSignedCa } from '../self-signed';
import { toPem } from '../pem';
import { must, run } from '../test-tools';
import { issuerHashes, parseOcspRequest, buildOcspResponse, ocspErrorResponse, type OcspCertStatus } from './index';

const scratch = new ScratchDir('signet-x509-');
afterAll(() => scratch.remove());

const DAY = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);

interface Ca {
  der: Buffer;
  signer: Signer;
  path: string;
}

async function makeCa(name: string): Promise<Ca> {
  const { privateKey, publicKey } = generateKeyPair('ecdsa-p256');
  const der = await createSelfSignedCa({ subject: [{ type: 'O', value: 'Signet' }, { type: 'CN', value: name }], privateKey, publicKey, notBefore: new Date(NOW.getTime() - DAY), notAfter: new Date(NOW.getTime() + 365 * DAY) });
  return { der, signer: createSigner(privateKey), path: scratch.write(`${name}.pem`, toPem(der, 'CERTIFICATE')) };
}

async function issue(ca: Ca, cn: string, extensions: { oid: string; critical: boolean; value: Buffer }[], spki: Buffer) {
  const serialHex = randomSerialHex();
  const der = await issueCertificate(
    prepareCertificate(
      {
        serialHex,
        subject: [{ type: 'CN', value: cn }],
        notBefore: new Date(NOW.getTime() - DAY),
        notAfter: new Date(NOW.getTime() + 30 * DAY),
        spki,
        extensions: [
          ...extensions,
          { oid: OID.subjectKeyIdentifier, critical: false, value: encodeSubjectKeyIdentifier(subjectKeyIdentifier(spki)) },
          { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(subjectKeyIdentifier(ca.signer.spki)) },
        ],
      },
      { certificateDer: ca.der, signer: ca.signer },
    ),
  );
  return { der, serialHex, path: scratch.write(`${cn}.pem`, toPem(der, 'CERTIFICATE')) };
}

function leafOf(ca: Ca, cn: string) {
  const spki = generateKeyPair('ecdsa-p256').publicKey.export({ type: 'spki', format: 'der' });
  return issue(
    ca,
    cn,
    [
      { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
      { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
      { oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName([{ type: 'dns', value: cn }]) },
    ],
    spki,
  );
}

/** openssl's own request for `cert`, written to a file. */
function opensslRequest(ca: Ca, certPath: string, name: string, args: string[] = []): { path: string; der: Buffer } {
  const path = scratch.path(`${name}.req`);
  // openssl wants the digest before -cert.
  must('openssl', ['ocsp', '-issuer', ca.path, ...args, '-cert', certPath, '-reqout', path]);
  return { path, der: scratch.readBytes(`${name}.req`) };
}

/** What a responder does: match the issuer hashes, look the serial up, sign. */
async function respond(ca: Ca, req: Buffer, statuses: Record<string, OcspCertStatus>, signer = ca.signer, certs?: Buffer[]) {
  const info = parseOcspRequest(req);
  const hashes = issuerHashes(ca.der);
  return buildOcspResponse({
    signer,
    certs,
    producedAt: NOW,
    nonce: info.nonce,
    responses: info.certIds.map((id) => {
      const h = hashes.get(id.hashAlgorithm);
      const ours = h && h.nameHash.equals(id.issuerNameHash) && h.keyHash.equals(id.issuerKeyHash);
      return { certIdDer: id.der, status: (ours && id.serialHex && statuses[id.serialHex]) || { kind: 'unknown' }, thisUpdate: NOW, nextUpdate: new Date(NOW.getTime() + 3600_000) };
    }),
  });
}

/**
 * openssl twice: against the request file (signature, and the nonce it sent),
 * then for the certificate's status (which openssl prints only for -cert).
 */
function check(ca: Ca, req: { path: string }, resp: Buffer, certPath: string, name: string, extra: string[] = []) {
  const respPath = scratch.write(`${name}.resp`, resp);
  const sig = run('openssl', ['ocsp', '-reqin', req.path, '-respin', respPath, '-CAfile', ca.path, '-verify_other', ca.path, ...extra]);
  const status = run('openssl', ['ocsp', '-respin', respPath, '-issuer', ca.path, '-cert', certPath, '-CAfile', ca.path, '-no_nonce', '-resp_text', ...extra]);
  return { out: `${sig.out}\n${status.out}`, sig, status };
}

describe('OCSP request parsing', () => {
  let ca: Ca;
  let leaf: Awaited<ReturnType<typeof leafOf>>;
  beforeAll(async () => {
    ca = await makeCa('OCSP Parse CA');
    leaf = await leafOf(ca, 'parse.example.test');
  });

  it.each([
    ['ok/SHA-1 CertID with nonce (openssl default)', [], OID.sha1, 20, true],
    ['ok/SHA-256 CertID', ['-sha256'], OID.sha256, 32, true],
    ['ok/no nonce', ['-no_nonce'], OID.sha1, 20, false],
  ])('%s', (name, args, alg, len, nonce) => {
    const req = opensslRequest(ca, leaf.path, name.replace(/\W/g, '_'), args as string[]);
    const info = parseOcspRequest(req.der);
    expect(info.certIds).toHaveLength(1);
    const [id] = info.certIds;
    expect(id).toMatchObject({ hashAlgorithm: alg, serialHex: leaf.serialHex });
    expect(id.issuerNameHash).toHaveLength(len as number);
    const h = issuerHashes(ca.der).get(alg as string)!;
    expect(id.issuerNameHash.equals(h.nameHash) && id.issuerKeyHash.equals(h.keyHash)).toBe(true);
    expect(info.nonce !== undefined).toBe(nonce);
  });

  it.each([
    ['fail/empty', ''],
    ['fail/garbage', '00112233'],
    ['fail/a certificate instead', 'CERT'],
    ['fail/empty requestList', '3004' + '3002' + '3000'],
    ['fail/trailing bytes', 'REQ00'],
    ['fail/version 2', '3010300ea003020101' + '3007' + '3005' + '3003020101'],
  ])('%s', (_n, hex) => {
    const der =
      hex === 'CERT' ? leaf.der : hex === 'REQ00' ? Buffer.concat([opensslRequest(ca, leaf.path, 'trail').der, Buffer.from([0])]) : Buffer.from(hex, 'hex');
    expect(() => parseOcspRequest(der)).toThrow(expect.objectContaining({ code: ErrorCode.MalformedRequest }));
  });

  it('fail/too large', () => {
    expect(() => parseOcspRequest(Buffer.alloc(20_000, 0x30))).toThrow(expect.objectContaining({ code: ErrorCode.TooLarge }));
  });
});

describe('OCSP responses, judged by openssl and ocsptool', () => {
  let ca: Ca;
  let leaf: Awaited<ReturnType<typeof leafOf>>;
  beforeAll(async () => {
    ca = await makeCa('OCSP Test CA');
    leaf = await leafOf(ca, 'leaf.example.test');
  });

  it('good, signed by the CA, nonce echoed', async () => {
    const req = opensslRequest(ca, leaf.path, 'good');
    const r = check(ca, req, await respond(ca, req.der, { [leaf.serialHex]: { kind: 'good' } }), leaf.path, 'good');
    expect(r.sig.out).toContain('Response verify OK');
    expect(r.sig.status).toBe(0);
    expect(r.status.out).toMatch(/: good\n/);
    expect(r.status.out).toMatch(/Response Extensions:\s*\n\s*OCSP Nonce:/);
  });

  it('revoked with reason and time, SHA-256 CertID', async () => {
    const req = opensslRequest(ca, leaf.path, 'revoked', ['-sha256']);
    const resp = await respond(ca, req.der, { [leaf.serialHex]: { kind: 'revoked', revokedAt: new Date('2026-11-20T08:00:00Z'), reason: 1 } });
    const r = check(ca, req, resp, leaf.path, 'revoked');
    expect(r.out).toContain('Response verify OK');
    expect(r.out).toMatch(/: revoked\n/);
    expect(r.out).toMatch(/Reason: keyCompromise/);
    expect(r.out).toMatch(/Revocation Time: Nov 20 08:00:00 2026 GMT/);
    const g = run('ocsptool', ['--response-info', '--load-response', scratch.path('revoked.resp'), '--inder']);
    expect(g.out).toMatch(/Certificate Status: revoked/);
  });

  it('unknown for a serial the responder does not know', async () => {
    const path = scratch.path('unknown.req');
    must('openssl', ['ocsp', '-issuer', ca.path, '-serial', '0x0123456789abcdef', '-reqout', path]);
    const resp = await respond(ca, scratch.readBytes('unknown.req'), { [leaf.serialHex]: { kind: 'good' } });
    const r = run('openssl', ['ocsp', '-reqin', path, '-respin', scratch.write('unknown.resp', resp), '-CAfile', ca.path, '-verify_other', ca.path, '-resp_text']);
    expect(r.out).toContain('Response verify OK');
    expect(r.out).toMatch(/Serial Number: 0123456789ABCDEF\s*\n\s*Cert Status: unknown/);
  });

  it('a nonce mismatch is caught by the client (the echo is real)', async () => {
    const a = opensslRequest(ca, leaf.path, 'nonce-a');
    const b = opensslRequest(ca, leaf.path, 'nonce-b');
    const resp = await respond(ca, a.der, { [leaf.serialHex]: { kind: 'good' } });
    expect(check(ca, a, resp, leaf.path, 'nonce-match').sig.out).toContain('Response verify OK');
    expect(check(ca, b, resp, leaf.path, 'nonce-mismatch').sig.out).toMatch(/Nonce Verify error/);
  });

  it('a delegated responder (id-kp-OCSPSigning, ocsp-nocheck) verifies with -CAfile and with -VAfile', async () => {
    const { privateKey, publicKey } = generateKeyPair('ecdsa-p256');
    const responder = await issue(
      ca,
      'OCSP Test CA OCSP Responder',
      [
        { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
        { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.ocspSigning]) },
        { oid: OID.ocspNoCheck, critical: false, value: encodeOcspNoCheck() },
      ],
      publicKey.export({ type: 'spki', format: 'der' }),
    );
    const req = opensslRequest(ca, leaf.path, 'delegated');
    const resp = await respond(ca, req.der, { [leaf.serialHex]: { kind: 'good' } }, createSigner(privateKey), [responder.der]);
    const viaChain = check(ca, req, resp, leaf.path, 'delegated');
    expect(viaChain.out).toContain('Response verify OK');
    expect(viaChain.out).toMatch(/: good\n/);
    // -VAfile: the responder certificate is trusted as given, no chain needed.
    const viaVa = run('openssl', ['ocsp', '-reqin', req.path, '-respin', scratch.path('delegated.resp'), '-VAfile', responder.path]);
    expect(viaVa.out).toContain('Response verify OK');
    expect(run('openssl', ['ocsp', '-respin', scratch.path('delegated.resp'), '-resp_text', '-noverify']).out).toMatch(/OCSP No Check/);
  });

  it('a responder key the CA never certified is refused by openssl', async () => {
    const { privateKey } = generateKeyPair('ecdsa-p256');
    const req = opensslRequest(ca, leaf.path, 'rogue');
    const r = check(ca, req, await respond(ca, req.der, { [leaf.serialHex]: { kind: 'good' } }, createSigner(privateKey)), leaf.path, 'rogue');
    expect(r.sig.out).not.toContain('Response verify OK');
    expect(r.sig.status).not.toBe(0);
  });

  it('malformedRequest is a bare status', () => {
    const der = ocspErrorResponse('malformedRequest');
    expect(der.toString('hex')).toBe('30030a0101');
    expect(run('openssl', ['ocsp', '-respin', scratch.write('malformed.resp', der), '-resp_text', '-noverify']).out).toMatch(/malformedrequest \(1\)/i);
  });
});
