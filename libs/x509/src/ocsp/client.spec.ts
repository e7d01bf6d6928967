import { ErrorCode } from '@signet/contracts';
import { OID } from '../oids';
import { encodeBasicConstraints } from '../extensions';
import { generateKeyPair } from '../keys';
import { createSigner } from '../signer';
import { randomSerialHex } from '../serial';
import { issueCertificate, prepareCertificate } from '../certificate';
import { createSelfSignedCa } from '../self-signed';
import { issuerHashes, parseOcspRequest, buildOcspResponse, ocspErrorResponse, buildOcspRequest, readOcspResponse, type OcspCertStatus } from './index';

const DAY = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
const caKeys = generateKeyPair('ecdsa-p256');
const signer = createSigner(caKeys.privateKey);
let caDer: Buffer;
let leafDer: Buffer;
let serialHex: string;

beforeAll(async () => {
  caDer = await createSelfSignedCa({ subject: [{ type: 'CN', value: 'OCSP client CA' }], ...caKeys, notBefore: new Date(NOW.getTime() - DAY), notAfter: new Date(NOW.getTime() + 365 * DAY) });
  serialHex = randomSerialHex();
  leafDer = await issueCertificate(
    prepareCertificate(
      {
        serialHex,
        subject: [{ type: 'CN', value: 'leaf' }],
        notBefore: new Date(NOW.getTime() - DAY),
        notAfter: new Date(NOW.getTime() + DAY),
        spki: generateKeyPair('ecdsa-p256').publicKey.export({ type: 'spki', format: 'der' }),
        extensions: [{ oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) }],
      },
      { certificateDer: caDer, signer },
    ),
  );
});

describe('buildOcspRequest', () => {
  it('ok/asks about the certificate: the responder parser reads its serial and the CA hashes (SHA-256)', () => {
    const q = buildOcspRequest(leafDer, caDer);
    const parsed = parseOcspRequest(q.der);
    expect(parsed.certIds).toHaveLength(1);
    const [id] = parsed.certIds;
    expect(id.serialHex).toBe(serialHex);
    expect(id.hashAlgorithm).toBe(OID.sha256);
    expect(id.issuerNameHash).toEqual(issuerHashes(caDer).get(OID.sha256)!.nameHash);
    expect(id.issuerKeyHash).toEqual(issuerHashes(caDer).get(OID.sha256)!.keyHash);
    expect(id.der).toEqual(q.certIdDer);
    expect(parsed.nonce).toBeUndefined();
  });
});

describe('readOcspResponse', () => {
  const cases: [string, OcspCertStatus][] = [
    ['good', { kind: 'good' }],
    ['unknown', { kind: 'unknown' }],
    ['revoked with a reason', { kind: 'revoked', revokedAt: new Date(NOW.getTime() - 1000), reason: 1 }],
    ['revoked without a reason', { kind: 'revoked', revokedAt: new Date(NOW.getTime() - 1000) }],
  ];
  it.each(cases)('ok/%s', async (_name, status) => {
    const q = buildOcspRequest(leafDer, caDer);
    const nextUpdate = new Date(NOW.getTime() + DAY);
    const der = await buildOcspResponse({ signer, producedAt: NOW, responses: [{ certIdDer: q.certIdDer, status, thisUpdate: NOW, nextUpdate }] });
    const read = readOcspResponse(der);
    expect(read.status).toBe('successful');
    expect(read.responses).toEqual([{ certIdDer: q.certIdDer, status, thisUpdate: NOW, nextUpdate }]);
  });

  it.each(['tryLater', 'unauthorized', 'internalError'] as const)('ok/error status %s has no responses', (status) => {
    expect(readOcspResponse(ocspErrorResponse(status))).toEqual({ status, responses: [] });
  });

  it('fail/not an OCSP response', () => {
    expect(() => readOcspResponse(leafDer)).toThrow(expect.objectContaining({ code: ErrorCode.MalformedRequest }));
    expect(() => readOcspResponse(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x04]))).toThrow(/unknown responseStatus 4/);
  });
});
