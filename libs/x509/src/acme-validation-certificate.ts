import type { San } from '@signet/contracts';
import { OID } from './oids';
import { parseCertificate } from './inspect';
import { decodeAcmeIdentifier, decodeSubjectAltName } from './extensions';

/** What a TLS-ALPN-01 validator needs from the certificate a server presented. */
export interface AcmeValidationCertificate {
  /** Every subjectAltName entry, in certificate order (empty when the extension is missing). */
  sans: San[];
  /** The acmeIdentifier extension, when present: its criticality and the digest it carries. */
  acmeIdentifier?: { critical: boolean; digest: Buffer };
}

/**
 * Reads the names and the acmeIdentifier of a TLS-ALPN-01 validation
 * certificate (RFC 8737 3). Only parsing: the signature and the chain are not
 * looked at, since the certificate is self-signed by design. Throws
 * MalformedRequest when the certificate or either extension cannot be read
 * (including subjectAltName kinds Signet does not model).
 */
export function readAcmeValidationCertificate(der: Buffer): AcmeValidationCertificate {
  const cert = parseCertificate(der);
  const san = cert.extensions.find((e) => e.oid === OID.subjectAltName);
  const id = cert.extensions.find((e) => e.oid === OID.acmeIdentifier);
  return {
    sans: san ? decodeSubjectAltName(san.value) : [],
    acmeIdentifier: id ? { critical: id.critical, digest: decodeAcmeIdentifier(id.value) } : undefined,
  };
}
