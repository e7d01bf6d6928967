import { createPublicKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { Name, San } from '@signet/contracts';
import { OID } from './oids';
import { derSequence, tlv, toDer } from './der';
import { encodeName } from './names';
import { encodeSignatureAlgorithm } from './algorithms';
import { encodeExtensions } from './extension-list';
import { encodeSubjectAltName } from './extensions';
import { createSigner } from './signer';

export interface CsrOptions {
  /** The subject; may be empty when `sans` carries the names (the SAN request is then marked critical). */
  subject: Name;
  /** Names asked for in an extensionRequest subjectAltName, in this order. */
  sans: San[];
  /** The requester's key: signs the request (proof of possession) and never leaves the caller. */
  privateKey: KeyObject;
  /** A challengePassword attribute (PKCS#9, RFC 2985 5.4.1), as UTF8String: an EST channel binding (RFC 7030 §3.5). */
  challengePassword?: string;
}

/**
 * A PKCS#10 request (RFC 2986), DER, signed with `privateKey`:
 *
 *   CertificationRequestInfo ::= SEQUENCE {
 *        version       INTEGER { v1(0) } (v1,...),
 *        subject       Name,
 *        subjectPKInfo SubjectPublicKeyInfo{{ PKInfoAlgorithms }},
 *        attributes    [0] Attributes{{ CRIAttributes }} }
 *
 * with one attribute, extensionRequest (PKCS#9, RFC 2985 5.4.2), holding the
 * subjectAltName. It asks for names only: usages and validity are the CA's
 * template's to decide (Signet never copies requested extensions). The key
 * types are those the library signs with: ECDSA P-256 / P-384, RSA
 * 2048 / 3072 / 4096.
 */
export async function createCsr(opts: CsrOptions): Promise<Buffer> {
  if (opts.subject.length === 0 && opts.sans.length === 0) throw new Error('createCsr: a request needs a subject or at least one name');
  const signer = createSigner(opts.privateKey);
  const spki = createPublicKey(opts.privateKey).export({ type: 'spki', format: 'der' });
  const attributes: Buffer[] = [];
  if (opts.challengePassword !== undefined) {
    const value = toDer(new asn1js.Utf8String({ value: opts.challengePassword }));
    attributes.push(derSequence([toDer(new asn1js.ObjectIdentifier({ value: OID.challengePassword })), tlv(0x31, value)]));
  }
  if (opts.sans.length > 0) {
    // RFC 5280 4.2.1.6: with an empty subject the SAN is the only name, so it is critical.
    const extensions = encodeExtensions([{ oid: OID.subjectAltName, critical: opts.subject.length === 0, value: encodeSubjectAltName(opts.sans) }]);
    //   Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET SIZE(1..MAX) OF ANY }
    attributes.push(derSequence([toDer(new asn1js.ObjectIdentifier({ value: OID.extensionRequest })), tlv(0x31, extensions)]));
  }
  const info = derSequence([tlv(0x02, Buffer.from([0])), encodeName(opts.subject), spki, tlv(0xa0, Buffer.concat(attributes))]);
  const signature = await signer.sign(info);
  //   CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature BIT STRING }
  return derSequence([info, encodeSignatureAlgorithm(signer.signatureAlgorithmOid), tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]);
}
