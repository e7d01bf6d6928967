import { decodeAuthorityKeyIdentifier, OID, type CertificateSummary } from '@signet/x509';
import { AcmeProblem } from './problem';

/**
 * ACME Renewal Information (RFC 9773), the pure part: the certificate
 * identifier `base64url(AKI keyIdentifier) "." base64url(serial DER
 * content)` and the suggested renewal window.
 */
export interface CertId {
  /** The AKI keyIdentifier, hex. */
  keyIdHex: string;
  /** The serial as libs/x509 writes it (lower-case hex, no sign byte). */
  serialHex: string;
}

const PART = /^[A-Za-z0-9_-]{1,128}$/;

/** The serial's DER content bytes → the hex libs/x509 and ca-core use (a sign byte 00 dropped). */
function serialHexOf(content: Buffer): string {
  const s = content.length > 1 && content[0] === 0 && content[1] >= 0x80 ? content.subarray(1) : content;
  return s.toString('hex');
}

export function parseCertId(text: string): CertId {
  const [aki, serial, ...rest] = text.split('.');
  if (rest.length || !aki || !serial || !PART.test(aki) || !PART.test(serial) || aki.includes('=') || serial.includes('=')) {
    throw new AcmeProblem('malformed', 'not an ARI certificate identifier (base64url keyIdentifier "." base64url serial)');
  }
  const serialBytes = Buffer.from(serial, 'base64url');
  if (serialBytes.length === 0 || serialBytes.length > 21 || (serialBytes[0] & 0x80) !== 0) throw new AcmeProblem('malformed', 'the identifier\'s serial is not a positive INTEGER');
  return { keyIdHex: Buffer.from(aki, 'base64url').toString('hex'), serialHex: serialHexOf(serialBytes) };
}

/** The certificate's AKI keyIdentifier (hex), if it has one. */
export function keyIdOf(cert: Pick<CertificateSummary, 'extensions'>): string | undefined {
  const aki = cert.extensions.find((e) => e.oid === OID.authorityKeyIdentifier);
  return aki ? decodeAuthorityKeyIdentifier(aki.value)?.toString('hex') : undefined;
}

/** The identifier a client computes for `cert` (RFC 9773 4.1). */
export function certIdOf(cert: Pick<CertificateSummary, 'extensions' | 'serialHex'>): string | undefined {
  const keyId = keyIdOf(cert);
  if (!keyId) return undefined;
  let serial = Buffer.from(cert.serialHex.length % 2 ? `0${cert.serialHex}` : cert.serialHex, 'hex');
  if (serial[0] & 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
  return `${Buffer.from(keyId, 'hex').toString('base64url')}.${serial.toString('base64url')}`;
}

/**
 * The suggested window: from two thirds of the validity to five sixths,
 * so a client renewing anywhere in it still has a sixth of the lifetime
 * left to retry (the first half of the last third).
 */
export function suggestedWindow(notBefore: Date, notAfter: Date): { start: string; end: string } {
  const life = notAfter.getTime() - notBefore.getTime();
  return { start: new Date(notBefore.getTime() + (life * 2) / 3).toISOString(), end: new Date(notBefore.getTime() + (life * 5) / 6).toISOString() };
}
