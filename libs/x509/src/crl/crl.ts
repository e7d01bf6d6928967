import * as asn1js from 'asn1js';
import { ErrorCode, SignetError } from '@signet/contracts';
import { OID } from '../oids';
import { tlv, toDer, malformed } from '../der';
import { encodeTime } from '../validity';
import { encodeSignatureAlgorithm, decodeAlgorithmIdentifier, verifySignature } from '../algorithms';
import { encodeExtension, type RawExtension } from '../extension-list';
import { encodeAuthorityKeyIdentifier, encodeFreshestCrl, subjectKeyIdentifier } from '../extensions';
import { splitCertificate } from '../inspect';
import type { Signer } from '../signer';
import { ChunkWriter, lengthSize, writeHeader } from './chunk-writer';
import { writeCrlEntry, type CrlEntry } from './crl-entry';

export interface CrlSpec {
  /** The CA certificate: the issuer name is copied byte-exact from its subject, the AKI from its key. */
  issuerCertificateDer: Buffer;
  /** The CA's signer (its key never leaves it). */
  signer: Signer;
  /** cRLNumber: monotonic per CA, one sequence for base and delta CRLs (RFC 5280 5.2.3). */
  crlNumber: number | bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  /** Makes this a delta CRL on the base CRL with this number (deltaCRLIndicator, RFC 5280 5.2.4). */
  deltaOf?: number | bigint;
  /** Freshest CRL (RFC 5280 5.2.6): where the delta CRLs are. Base CRLs only. */
  freshestCrlUrls?: readonly string[];
}

/** CRLNumber ::= INTEGER (0..MAX), at most 20 octets (RFC 5280 5.2.3). */
function encodeCrlNumber(n: number | bigint, what: string): Buffer {
  const v = BigInt(n);
  if (v < 0n) throw malformed(`${what} must not be negative`);
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex[0], 16) >= 8) hex = `00${hex}`;
  if (hex.length > 42) throw malformed(`${what} exceeds 20 octets`);
  return tlv(0x02, Buffer.from(hex, 'hex'));
}

/**
 * Builds a CRL (RFC 5280 5.1) from entries added one by one:
 *
 *   CertificateList  ::=  SEQUENCE  {
 *        tbsCertList          TBSCertList,
 *        signatureAlgorithm   AlgorithmIdentifier,
 *        signatureValue       BIT STRING  }
 *
 *   TBSCertList  ::=  SEQUENCE  {
 *        version                 Version OPTIONAL,  -- v2
 *        signature               AlgorithmIdentifier,
 *        issuer                  Name,
 *        thisUpdate              Time,
 *        nextUpdate              Time OPTIONAL,
 *        revokedCertificates     SEQUENCE OF SEQUENCE  { ... }  OPTIONAL,
 *        crlExtensions           [0]  EXPLICIT Extensions OPTIONAL }
 *
 * Entries are encoded as they arrive (see ChunkWriter); `finish()` signs
 * the assembled TBSCertList once and checks the signature with the CA's
 * public key, as certificate issuance does. Extensions: authorityKeyIdentifier,
 * cRLNumber, and deltaCRLIndicator (critical) or freshestCRL.
 */
export class CrlBuilder {
  private readonly entries = new ChunkWriter();
  private n = 0;
  private finished = false;
  private readonly issuerDer: Buffer;
  private readonly issuerSpki: Buffer;
  private readonly prefix: Buffer;
  private readonly extensions: Buffer;

  constructor(private readonly spec: CrlSpec) {
    const ca = splitCertificate(spec.issuerCertificateDer);
    if (!spec.signer.spki.equals(ca.spki)) throw new SignetError(ErrorCode.Internal, 'CRL: the signer key is not the key of the CA certificate');
    if (!(spec.nextUpdate.getTime() > spec.thisUpdate.getTime())) throw malformed('CRL: nextUpdate must be after thisUpdate');
    if (spec.deltaOf !== undefined && spec.freshestCrlUrls?.length) throw malformed('CRL: a delta CRL carries no freshest CRL extension');
    if (spec.deltaOf !== undefined && BigInt(spec.deltaOf) >= BigInt(spec.crlNumber)) throw malformed('CRL: a delta CRL must be newer than its base');
    this.issuerDer = ca.subjectDer;
    this.issuerSpki = ca.spki;
    // version v2 (INTEGER 1): required because the CRL has extensions.
    this.prefix = Buffer.concat([
      tlv(0x02, Buffer.from([1])),
      encodeSignatureAlgorithm(spec.signer.signatureAlgorithmOid),
      this.issuerDer,
      encodeTime(spec.thisUpdate),
      encodeTime(spec.nextUpdate),
    ]);
    const exts: RawExtension[] = [
      { oid: OID.authorityKeyIdentifier, critical: false, value: encodeAuthorityKeyIdentifier(subjectKeyIdentifier(ca.spki)) },
      { oid: OID.cRLNumber, critical: false, value: encodeCrlNumber(spec.crlNumber, 'cRLNumber') },
    ];
    // RFC 5280 5.2.4: "The delta CRL indicator is a critical CRL extension".
    if (spec.deltaOf !== undefined) exts.push({ oid: OID.deltaCRLIndicator, critical: true, value: encodeCrlNumber(spec.deltaOf, 'BaseCRLNumber') });
    if (spec.freshestCrlUrls?.length) exts.push({ oid: OID.freshestCRL, critical: false, value: encodeFreshestCrl(spec.freshestCrlUrls) });
    this.extensions = tlv(0xa0, toDer(new asn1js.Sequence({ value: exts.map(encodeExtension) })));
  }

  get count(): number {
    return this.n;
  }

  add(entry: CrlEntry): void {
    if (this.finished) throw new Error('CrlBuilder: already finished');
    writeCrlEntry(this.entries, entry);
    this.n++;
  }

  /** Signs and returns the CRL's DER. The builder cannot be used again. */
  async finish(): Promise<Buffer> {
    if (this.finished) throw new Error('CrlBuilder: already finished');
    this.finished = true;
    const algDer = encodeSignatureAlgorithm(this.spec.signer.signatureAlgorithmOid);
    const entriesLen = this.entries.length;
    // RFC 5280 5.1.2.6: with no revoked certificates the list MUST be absent (not empty).
    const revokedLen = entriesLen > 0 ? 1 + lengthSize(entriesLen) + entriesLen : 0;
    const tbsContent = this.prefix.length + revokedLen + this.extensions.length;
    const tbsLen = 1 + lengthSize(tbsContent) + tbsContent;
    // Room for the outer header in front (at most 1 + 5 bytes) and the algorithm and a signature behind.
    const maxSig = 1024 + 8;
    const out = Buffer.allocUnsafe(6 + tbsLen + algDer.length + maxSig);
    const tbsStart = 6;
    let p = writeHeader(out, tbsStart, 0x30, tbsContent);
    p += this.prefix.copy(out, p);
    if (entriesLen > 0) {
      p = writeHeader(out, p, 0x30, entriesLen);
      p = this.entries.copyTo(out, p);
    }
    this.entries.release();
    p += this.extensions.copy(out, p);
    const tbs = out.subarray(tbsStart, p);

    const signature = await this.spec.signer.sign(tbs);
    if (signature.length + 1 > maxSig - 8) throw new SignetError(ErrorCode.Internal, 'CRL: signature larger than expected');
    p += algDer.copy(out, p);
    p = writeHeader(out, p, 0x03, signature.length + 1);
    out[p++] = 0;
    p += signature.copy(out, p);

    const outerContent = p - tbsStart;
    const start = tbsStart - 1 - lengthSize(outerContent);
    writeHeader(out, start, 0x30, outerContent);
    const der = out.subarray(start, p);

    const ok = await verifySignature(decodeAlgorithmIdentifier(algDer, 'signatureAlgorithm'), this.issuerSpki, tbs, signature);
    if (!ok) throw new SignetError(ErrorCode.Internal, 'CRL signature does not verify with the CA key');
    return der;
  }
}

/** One-shot form for small CRLs (tests, deltas). */
export async function buildCrl(spec: CrlSpec, entries: Iterable<CrlEntry>): Promise<Buffer> {
  const b = new CrlBuilder(spec);
  for (const e of entries) b.add(e);
  return b.finish();
}
