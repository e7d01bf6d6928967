import type { Name } from '@signet/contracts';
import type { RawExtension } from './extension-list';

/** Everything that goes into a certificate besides the issuer, which comes from the CA certificate. */
export interface CertificateSpec {
  /** Serial as lower-case hex of its positive value (see randomSerialHex). */
  serialHex: string;
  subject: Name;
  /** Cut to whole seconds when encoded. */
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo of the subject key. */
  spki: Buffer;
  /** In certificate order; value is the extnValue contents. */
  extensions: RawExtension[];
}
