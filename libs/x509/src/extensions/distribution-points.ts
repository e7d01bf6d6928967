import * as asn1js from 'asn1js';
import { contextConstructed, isContextTag, malformed, parseDer, sequenceOf, toDer } from '../der';
import { uriGeneralName, uriOfGeneralName } from './uri';

/**
 * RFC 5280 4.2.1.13 (CRL distribution points) and 4.2.1.15 / 5.2.6
 * (freshest CRL, the same syntax, pointing at delta CRLs):
 *
 *   CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
 *
 *   DistributionPoint ::= SEQUENCE {
 *        distributionPoint       [0]     DistributionPointName OPTIONAL,
 *        reasons                 [1]     ReasonFlags OPTIONAL,
 *        cRLIssuer               [2]     GeneralNames OPTIONAL }
 *
 *   DistributionPointName ::= CHOICE {
 *        fullName                [0]     GeneralNames,
 *        nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }
 *
 * Signet writes one DistributionPoint whose fullName lists every URL (the
 * same CRL at several places), with neither reasons nor cRLIssuer: the CA
 * signs its own complete CRLs for all reasons, which is what relying
 * parties such as OpenSSL and GnuTLS expect by default. The tags are
 * implicit (the certificate module's default), so [0] replaces SEQUENCE.
 */
export function encodeCrlDistributionPoints(urls: readonly string[]): Buffer {
  if (urls.length === 0) throw malformed('cRLDistributionPoints: at least one URL is required');
  if (urls.length > 8) throw malformed('cRLDistributionPoints: at most 8 URLs');
  const fullName = contextConstructed(0, urls.map((u) => uriGeneralName(u, 'cRLDistributionPoints')));
  const point = new asn1js.Sequence({ value: [contextConstructed(0, [fullName])] });
  return toDer(new asn1js.Sequence({ value: [point] }));
}

/** The freshest CRL extension has exactly the CRLDistributionPoints syntax. */
export const encodeFreshestCrl = encodeCrlDistributionPoints;

/**
 * The URLs in a CRLDistributionPoints / FreshestCRL value, in order. Points
 * with a relative name, or names other than URIs, are skipped (read-only
 * use: tests and inspection).
 */
export function decodeCrlDistributionPoints(der: Buffer): string[] {
  const out: string[] = [];
  const points = sequenceOf(parseDer(der, 'cRLDistributionPoints'), 'cRLDistributionPoints');
  if (points.length === 0) throw malformed('cRLDistributionPoints: empty');
  for (const p of points) {
    const dpn = sequenceOf(p, 'DistributionPoint').find((f) => isContextTag(f, 0));
    if (!dpn) continue;
    const choice = (dpn as asn1js.Constructed).valueBlock.value?.[0];
    if (!choice || !isContextTag(choice, 0)) continue;
    for (const gn of (choice as asn1js.Constructed).valueBlock.value) {
      const uri = uriOfGeneralName(gn, 'cRLDistributionPoints');
      if (uri !== undefined) out.push(uri);
    }
  }
  return out;
}
