import {
  createSelfSignedCa,
  createSigner,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeSubjectAltName,
  generateKeyPair,
  issueCertificate,
  OID,
  prepareCertificate,
  randomSerialHex,
  subjectKeyIdentifier,
  toPem,
} from '@signet/x509';
import { type San } from '@signet/contracts';
import { type KeyObject } from 'node:crypto';

/**
 * A small real CA for the ACME tests' stand-in ca-core (test-only): leaves
 * with an AuthorityKeyIdentifier, as ARI identifiers need, for the CSR's key.
 */
export class TestIssuer {
  private constructor(
    readonly der: Buffer,
    private readonly key: KeyObject,
    readonly keyId: Buffer,
  ) {}

  static async create(name = 'ACME Test CA'): Promise<TestIssuer> {
    const { privateKey, publicKey } = generateKeyPair('ecdsa-p256');
    const now = Date.now();
    const der = await createSelfSignedCa({ subject: [{ type: 'CN', value: name }], privateKey, publicKey, notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 365 * 86_400_000) });
    return new TestIssuer(der, privateKey, subjectKeyIdentifier(publicKey.export({ type: 'spki', format: 'der' })));
  }

  get pem(): string {
    return toPem(this.der, 'CERTIFICATE');
  }

  async issue(spki: Buffer, sans: San[], notBefore: Date, notAfter: Date): Promise<{ der: Buffer; pem: string; serial: string }> {
    const serial = randomSerialHex();
    const der = await issueCertificate(
      prepareCertificate(
        {
          serialHex: serial,
          subject: [],
          notBefore,
          notAfter,
          spki,
          extensions: [
            { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: false }) },
            { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature']) },
            { oid: OID.extKeyUsage, critical: false, value: encodeExtKeyUsage([OID.serverAuth]) },
            { oid: OID.subjectAltName, critical: true, value: encodeSubjectAltName(sans) },
            { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(this.keyId) },
          ],
        },
        { certificateDer: this.der, signer: createSigner(this.key) },
      ),
    );
    return { der, pem: toPem(der, 'CERTIFICATE'), serial };
  }
}
