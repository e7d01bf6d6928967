import { malformed } from '../der';
import { ChunkWriter } from './chunk-writer';

/** One revoked certificate as it goes on a CRL. */
export interface CrlEntry {
  /** Lower-case hex of the serial's value, as stored everywhere in Signet. */
  serialHex: string;
  /** When the revocation took effect. */
  revocationDate: Date;
  /**
   * CRLReason (RFC 5280 5.3.1; the codes are REVOCATION_REASONS in @signet/contracts, 7 unused);
   * absent or 0 (unspecified) writes no reasonCode: "SHOULD be absent instead of using the unspecified (0) reasonCode value".
   */
  reason?: number;
  /** When the key is known or suspected to have been compromised. */
  invalidityDate?: Date;
}

const HEX = /^(?:[0-9a-f]{2}){1,32}$/;

// Extension prefixes, constant DER: SEQUENCE { extnID, extnValue OCTET STRING { ... } }.
//   reasonCode:     30 0a 06 03 55 1d 15 04 03 0a 01 <reason>
//   invalidityDate: 30 18 06 03 55 1d 18 04 11 18 0f <15 octets GeneralizedTime>
const REASON_PREFIX = Buffer.from('300a0603551d1504030a01', 'hex');
const INVALIDITY_PREFIX = Buffer.from('30180603551d180411180f', 'hex');
const REASON_LEN = REASON_PREFIX.length + 1;
const INVALIDITY_LEN = INVALIDITY_PREFIX.length + 15;

const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ of a date cut to whole seconds (RFC 5280 5.1.2.4, 4.1.2.5). */
function timeDigits(d: Date, fourDigitYear: boolean): string {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw malformed('CRL entry: invalid date');
  const y = d.getUTCFullYear();
  if (y < 1 || y > 9999) throw malformed(`CRL entry: year ${y} cannot be encoded`);
  const rest = `${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
  return fourDigitYear ? `${String(y).padStart(4, '0')}${rest}` : `${p2(y % 100)}${rest}`;
}

/** Time ::= CHOICE { utcTime, generalTime }: UTCTime for 1950..2049, else GeneralizedTime. */
function writeTime(w: ChunkWriter, d: Date): void {
  const y = d.getUTCFullYear();
  const utc = y >= 1950 && y < 2050;
  w.byte(utc ? 0x17 : 0x18);
  w.byte(utc ? 13 : 15);
  w.ascii(timeDigits(d, !utc));
}

function timeLength(d: Date): number {
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050 ? 15 : 17;
}

/**
 * Appends one entry of revokedCertificates (RFC 5280 5.1):
 *
 *   SEQUENCE  {
 *        userCertificate         CertificateSerialNumber,
 *        revocationDate          Time,
 *        crlEntryExtensions      Extensions OPTIONAL }
 *
 * Written straight into the chunk writer (no ASN.1 objects): a CRL with a
 * million entries must not build a million object trees.
 */
export function writeCrlEntry(w: ChunkWriter, e: CrlEntry): void {
  if (!HEX.test(e.serialHex)) throw malformed(`CRL entry: serial "${e.serialHex.slice(0, 70)}" is not 1..32 octets of lower-case hex`);
  const reason = e.reason ?? 0;
  if (!Number.isInteger(reason) || reason < 0 || reason > 10 || reason === 7) throw malformed(`CRL entry ${e.serialHex}: reason ${reason} is not a CRLReason`);

  // CertificateSerialNumber: minimal positive INTEGER.
  let start = 0;
  while (start < e.serialHex.length - 2 && e.serialHex.startsWith('00', start)) start += 2;
  const pad = e.serialHex.charCodeAt(start) >= 0x38 /* '8' */ ? 1 : 0;
  const serialContent = (e.serialHex.length - start) / 2 + pad;

  const extLen = (reason !== 0 ? REASON_LEN : 0) + (e.invalidityDate ? INVALIDITY_LEN : 0);
  const extSeqLen = extLen > 0 ? 2 + extLen : 0; // extLen is always < 128
  const content = 2 + serialContent + timeLength(e.revocationDate) + extSeqLen;

  w.byte(0x30);
  w.len(content);
  w.byte(0x02);
  w.byte(serialContent);
  if (pad) w.byte(0);
  w.hex(e.serialHex, start);
  writeTime(w, e.revocationDate);
  if (extLen > 0) {
    w.byte(0x30);
    w.byte(extLen);
    if (reason !== 0) {
      w.bytes(REASON_PREFIX);
      w.byte(reason);
    }
    if (e.invalidityDate) {
      w.bytes(INVALIDITY_PREFIX);
      // invalidityDate is always GeneralizedTime (RFC 5280 5.3.2).
      w.ascii(timeDigits(e.invalidityDate, true));
    }
  }
}
