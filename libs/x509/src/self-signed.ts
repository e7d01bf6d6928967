import { KeyObject } from 'node:crypto';
import type { Name } from '@signet/contracts';
import { OID } from './oids';
import {
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeKeyUsage,
  encodeSubjectKeyIdentifier,
  subjectKeyIdentifier,
} from './extensions';
import { encodeName } from './names';
import { randomSerialHex } from './serial';
import { createSigner } from './signer';
import { issueCertificate, prepareWith } from './certificate';

export interface SelfSignedCaOptions {
  subject: Name;
  privateKey: KeyObject;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
}

/**
 * A root CA certificate, self-signed, through the same prepare/lint/issue
 * path as every other certificate:
 * - basicConstraints critical, cA TRUE, no path length (the root limits
 *   nothing; intermediates carry their own limits);
 * - keyUsage critical: keyCertSign, cRLSign, digitalSignature (the last for
 *   OCSP responses signed directly by the CA);
 * - subjectKeyIdentifier, and an authorityKeyIdentifier equal to it, which
 *   RFC 5280 4.2.1.1 allows for self-signed certificates and some path
 *   builders prefer.
 */
export async function createSelfSignedCa(opts: SelfSignedCaOptions): Promise<Buffer> {
  const signer = createSigner(opts.privateKey);
  const spki = opts.publicKey.export({ type: 'spki', format: 'der' });
  if (!spki.equals(signer.spki)) throw new Error('createSelfSignedCa: publicKey does not belong to privateKey');
  const keyId = subjectKeyIdentifier(spki);
  const spec = {
    serialHex: randomSerialHex(),
    subject: opts.subject,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    spki,
    extensions: [
      { oid: OID.basicConstraints, critical: true, value: encodeBasicConstraints({ ca: true }) },
      { oid: OID.keyUsage, critical: true, value: encodeKeyUsage(['digitalSignature', 'keyCertSign', 'cRLSign']) },
      { oid: OID.subjectKeyIdentifier, critical: false, value: encodeSubjectKeyIdentifier(keyId) },
      { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(keyId) },
    ],
  };
  // Self-signed: the issuer is the subject, and the "CA validity" is its own.
  const token = prepareWith(spec, encodeName(opts.subject), { notBefore: opts.notBefore, notAfter: opts.notAfter, spki, isCa: true }, signer, { caAllowed: true });
  return issueCertificate(token);
}
