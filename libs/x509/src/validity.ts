import { tlv } from './der';

/**
 * RFC 5280 4.1.2.5:
 *
 *   Validity ::= SEQUENCE {
 *        notBefore      Time,
 *        notAfter       Time  }
 *
 *   Time ::= CHOICE {
 *        utcTime        UTCTime,
 *        generalTime    GeneralizedTime }
 *
 * "CAs conforming to this profile MUST always encode certificate validity
 * dates through the year 2049 as UTCTime; certificate validity dates in 2050
 * or later MUST be encoded as GeneralizedTime." Both are in UTC ("Z") with
 * seconds and without fractions, so every date is cut to whole seconds.
 */
export function encodeTime(date: Date): Buffer {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new Error('invalid date');
  const d = new Date(wholeSeconds(date));
  const year = d.getUTCFullYear();
  if (year < 1 || year > 9999) throw new Error(`year ${year} cannot be encoded`);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const rest = `${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${p2(year % 100)}${rest}`, 'ascii'));
  return tlv(0x18, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'ascii'));
}

export function encodeValidity(notBefore: Date, notAfter: Date): Buffer {
  return tlv(0x30, Buffer.concat([encodeTime(notBefore), encodeTime(notAfter)]));
}

/** Milliseconds since the epoch cut down to a whole second (what the certificate can hold). */
export function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}
