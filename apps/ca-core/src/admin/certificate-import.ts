import { ErrorCode, SignetError } from '@signet/contracts';
import { decodeCertificateText, formatName, parseCertificate, splitCertificate, verifyCertificateSignature, type CertificateSummary } from '@signet/x509';

/** The CA a certificate is checked against: its own certificate. */
export interface ImportingCa {
  certificateDer: Buffer;
}

export interface ImportableCertificate {
  der: Buffer;
  summary: CertificateSummary;
}

/**
 * ICertAdmin::ImportCertificate's checks, before anything is written
 * (no I/O): one well-formed certificate; issued by this CA, i.e. its issuer
 * is byte for byte the CA's subject and the CA's key made its signature;
 * and not the CA's own certificate (a self-signed root passes both tests).
 * Foreign certificates (AD CS's ICF_ALLOWFOREIGN) are refused. Validity is
 * not checked: an expired certificate the CA issued is still its history,
 * and belongs on its CRL once revoked. Whether the serial is new is the
 * database's to say (a unique key).
 */
export async function checkImport(text: string, ca: ImportingCa): Promise<ImportableCertificate> {
  const der = decodeCertificateText(text);
  let summary: CertificateSummary;
  let issuerDer: Buffer;
  try {
    summary = parseCertificate(der);
    issuerDer = splitCertificate(der).issuerDer;
  } catch (e) {
    throw new SignetError(ErrorCode.MalformedCertificate, `not an X.509 certificate: ${(e as Error).message}`);
  }
  const caParts = splitCertificate(ca.certificateDer);
  if (der.equals(ca.certificateDer) || summary.spki.equals(caParts.spki)) {
    throw new SignetError(ErrorCode.ForeignCertificate, 'this is a certificate of the CA itself, not one it issued');
  }
  if (!issuerDer.equals(caParts.subjectDer)) {
    throw new SignetError(ErrorCode.ForeignCertificate, `issued by "${formatName(summary.issuer)}", not by this CA`, { issuer: formatName(summary.issuer) });
  }
  const signed = await verifyCertificateSignature(der, ca.certificateDer).catch(() => false);
  if (!signed) {
    throw new SignetError(ErrorCode.ForeignCertificate, "its signature was not made by this CA's key", { serial: summary.serialHex });
  }
  if (!/^(?:[0-9a-f]{2}){1,20}$/.test(summary.serialHex)) {
    // RFC 5280 4.1.2.2: at most 20 octets; the database keys on the hex form.
    throw new SignetError(ErrorCode.MalformedCertificate, `serial number of ${summary.serialHex.length / 2} octets: RFC 5280 allows 1 to 20`);
  }
  return { der, summary };
}
