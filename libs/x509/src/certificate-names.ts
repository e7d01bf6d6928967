import { isIP } from 'node:net';
import { OID } from './oids';
import { decodeName } from './names';
import { splitCertificate } from './inspect';
import { decodeSubjectAltName } from './extensions/subject-alt-name';
import { ipFromBytes, ipToBytes } from './extensions/ip-address';

/** A name a certificate is for, as an ACME identifier is typed: DNS names in lower case, IP addresses in one spelling. */
export interface CertificateName {
  type: 'dns' | 'ip';
  value: string;
}

/**
 * The names a certificate is for (RFC 8555 7.6, "the identifiers in the
 * certificate"): its DNS and IP subjectAltNames and its subject common
 * name, without duplicates. Undefined when it also names something no
 * authorisation can cover (an email, a URI, a UPN): whoever asks on the
 * strength of authorisations has then not shown control of every name.
 */
export function certificateNames(der: Buffer): CertificateName[] | undefined {
  const parts = splitCertificate(der);
  const out = new Map<string, CertificateName>();
  const add = (n: CertificateName) => out.set(`${n.type}:${n.value}`, n);
  const san = parts.extensions.find((e) => e.oid === OID.subjectAltName);
  for (const s of san ? decodeSubjectAltName(san.value) : []) {
    if (s.type === 'dns') add({ type: 'dns', value: s.value.toLowerCase() });
    else if (s.type === 'ip') add({ type: 'ip', value: s.value });
    else return undefined;
  }
  for (const rdn of decodeName(parts.subjectDer)) {
    if (rdn.type !== 'CN') continue;
    add(isIP(rdn.value) ? { type: 'ip', value: ipFromBytes(ipToBytes(rdn.value)) } : { type: 'dns', value: rdn.value.toLowerCase() });
  }
  return [...out.values()];
}
