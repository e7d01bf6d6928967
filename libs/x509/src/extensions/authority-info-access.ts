import * as asn1js from 'asn1js';
import { OID } from '../oids';
import { malformed, oidOf, parseDer, sequenceOf, toDer } from '../der';
import { uriGeneralName, uriOfGeneralName } from './uri';

export interface AuthorityInfoAccess {
  /** OCSP responder URLs (id-ad-ocsp). */
  ocsp: string[];
  /** Where the issuer's certificate can be fetched (id-ad-caIssuers). */
  caIssuers: string[];
}

/**
 * RFC 5280 4.2.2.1:
 *
 *   AuthorityInfoAccessSyntax  ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
 *
 *   AccessDescription  ::=  SEQUENCE {
 *           accessMethod          OBJECT IDENTIFIER,
 *           accessLocation        GeneralName  }
 *
 * OCSP first: clients that stop at the first usable method should find the
 * responder before the certificate download.
 */
export function encodeAuthorityInfoAccess(aia: AuthorityInfoAccess): Buffer {
  const items = [
    ...aia.ocsp.map((u) => [OID.adOcsp, uriGeneralName(u, 'authorityInfoAccess ocsp')] as const),
    ...aia.caIssuers.map((u) => [OID.adCaIssuers, uriGeneralName(u, 'authorityInfoAccess caIssuers')] as const),
  ];
  if (items.length === 0) throw malformed('authorityInfoAccess: at least one URL is required');
  if (items.length > 8) throw malformed('authorityInfoAccess: at most 8 URLs');
  return toDer(new asn1js.Sequence({ value: items.map(([oid, gn]) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), gn] })) }));
}

/** Read-only: the OCSP and caIssuers URLs of an AIA value (other methods and name kinds are skipped). */
export function decodeAuthorityInfoAccess(der: Buffer): AuthorityInfoAccess {
  const out: AuthorityInfoAccess = { ocsp: [], caIssuers: [] };
  const items = sequenceOf(parseDer(der, 'authorityInfoAccess'), 'authorityInfoAccess');
  if (items.length === 0) throw malformed('authorityInfoAccess: empty');
  for (const item of items) {
    const [method, location] = sequenceOf(item, 'AccessDescription');
    const oid = oidOf(method, 'accessMethod');
    const uri = location ? uriOfGeneralName(location, 'accessLocation') : undefined;
    if (uri === undefined) continue;
    if (oid === OID.adOcsp) out.ocsp.push(uri);
    else if (oid === OID.adCaIssuers) out.caIssuers.push(uri);
  }
  return out;
}

/**
 * id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1): extnValue is NULL. Put in a
 * delegated OCSP signing certificate so clients do not ask for the
 * responder's own status (which would loop).
 */
export function encodeOcspNoCheck(): Buffer {
  return Buffer.from([0x05, 0x00]);
}
