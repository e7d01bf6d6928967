import { createECDH, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { derNodes, oid, seq, set, tlv } from './der';
import { Prng } from './prng';

/** X.520 / PKCS#9 attribute types the fuzzer writes into subjects. */
export const NAME_TYPES = {
  CN: '2.5.4.3',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  C: '2.5.4.6',
  serialNumber: '2.5.4.5',
  E: '1.2.840.113549.1.9.1',
  DC: '0.9.2342.19200300.100.1.25',
} as const;
export type NameType = keyof typeof NAME_TYPES;

/** Universal string tags and how their bytes are made from text. */
export const STRING_TAGS = {
  utf8: 0x0c,
  printable: 0x13,
  teletex: 0x14,
  ia5: 0x16,
  visible: 0x1a,
  universal: 0x1c,
  bmp: 0x1e,
} as const;
export type StringTag = keyof typeof STRING_TAGS;

export function stringBytes(kind: StringTag, text: string): Buffer {
  switch (kind) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'bmp':
      return Buffer.from(text, 'utf16le').swap16();
    case 'universal': {
      const cps = [...text].map((c) => c.codePointAt(0)!);
      const b = Buffer.alloc(cps.length * 4);
      cps.forEach((cp, i) => b.writeUInt32BE(cp, i * 4));
      return b;
    }
    default:
      return Buffer.from(text, 'latin1');
  }
}

export interface RawRdn {
  type: NameType;
  tag: StringTag;
  value: string;
}

export type RawSan = { type: 'dns' | 'email' | 'uri'; value: string } | { type: 'upn'; value: string };

const SAN_TAGS = { email: 0x81, dns: 0x82, uri: 0x86 } as const;
const UPN = '1.3.6.1.4.1.311.20.2.3';

function generalName(s: RawSan): Buffer {
  if (s.type === 'upn') return tlv(0xa0, Buffer.concat([oid(UPN), tlv(0xa0, tlv(0x0c, Buffer.from(s.value, 'utf8')))]));
  return tlv(SAN_TAGS[s.type], Buffer.from(s.value, 'latin1'));
}

/** The requesters' keys of a fuzz run, made from its seed so that a run repeats exactly. */
export interface FuzzKeys {
  /** Ed25519 signatures are deterministic: requests signed with it are the same bytes on every run. */
  ed25519: KeyObject;
  /** ECDSA P-256, what the shipped WebServer template accepts; its signatures vary from run to run (random k), the rest of the request does not. */
  p256: KeyObject;
}

export function fuzzKeys(prng: Prng): FuzzKeys {
  const ed = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), prng.bytes(32)]);
  const d = prng.bytes(32);
  d[0]! &= 0x7f; // below the group order
  d[0]! |= 0x01;
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey();
  const b64 = (b: Buffer) => b.toString('base64url');
  return {
    ed25519: createPrivateKey({ key: ed, format: 'der', type: 'pkcs8' }),
    p256: createPrivateKey({ key: { kty: 'EC', crv: 'P-256', d: b64(d), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33)) }, format: 'jwk' }),
  };
}

/** Fixed keys for specs that need a requester and no run to repeat. */
export function fuzzKey(): KeyObject {
  return fuzzKeys(new Prng(1)).p256;
}

/**
 * A CertificationRequestInfo with exactly the given bytes in its names (any
 * string tag, any characters, control characters included), which the
 * library's own encoders would refuse to write.
 */
export function rawCsrInfo(key: KeyObject, subject: RawRdn[], sans: RawSan[]): Buffer {
  const name = seq(...subject.map((r) => set(seq(oid(NAME_TYPES[r.type]), tlv(STRING_TAGS[r.tag], stringBytes(r.tag, r.value))))));
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const attributes = sans.length
    ? tlv(0xa0, seq(oid('1.2.840.113549.1.9.14'), set(seq(seq(oid('2.5.29.17'), tlv(0x04, seq(...sans.map(generalName))))))))
    : tlv(0xa0, Buffer.alloc(0));
  return seq(tlv(0x02, Buffer.from([0])), name, spki, attributes);
}

/** A CertificationRequest around `info` (whatever its bytes), signed with `key` (Ed25519, or ECDSA P-256 with SHA-256): the signature always verifies. */
export function signCsr(info: Buffer, key: KeyObject): Buffer {
  const ed = key.asymmetricKeyType === 'ed25519';
  const signature = ed ? sign(null, info, key) : sign('sha256', info, key);
  const algorithm = seq(oid(ed ? '1.3.101.112' : '1.2.840.10045.4.3.2'));
  return seq(info, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

export function rawCsr(key: KeyObject, subject: RawRdn[], sans: RawSan[]): Buffer {
  return signCsr(rawCsrInfo(key, subject, sans), key);
}

export function toCsrPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE REQUEST-----\n`;
}

/** C0 controls, DEL and C1 controls: every character a name may not hold (ADR 0022). */
export const CONTROL_CHARACTERS: readonly string[] = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  '\x7f',
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)),
];

/** What a fuzzed request is, and when the outcome is known in advance, what it must be. */
export interface FuzzedCsr {
  der: Buffer;
  /** The mutation, for a failure message. */
  kind: string;
  /** Set when the request must be refused with MALFORMED_REQUEST naming this field. */
  refusedField?: string;
}

/** A baseline request like a client would send: a subject and DNS names under example.com. */
export function baselineNames(prng: Prng): { subject: RawRdn[]; sans: RawSan[] } {
  const host = `${prng.pick(['www', 'api', 'mail', 'a', 'host-1'])}.example.com`;
  const subject: RawRdn[] = [{ type: 'CN', tag: 'utf8', value: host }];
  if (prng.chance(0.3)) subject.unshift({ type: 'O', tag: prng.pick(['utf8', 'printable'] as const), value: 'Example Corp' });
  if (prng.chance(0.2)) subject.unshift({ type: 'C', tag: 'printable', value: 'DE' });
  const sans: RawSan[] = [{ type: 'dns', value: host }];
  if (prng.chance(0.3)) sans.push({ type: 'dns', value: `alt.${host}` });
  if (prng.chance(0.1)) sans.push({ type: 'email', value: `admin@example.com` });
  return { subject, sans };
}

/** Which field of `subject`/`sans` index `i` is, named as parseCsr names it. */
function fieldOf(subject: RawRdn[], sans: RawSan[], target: { rdn: number } | { san: number }): string {
  if ('rdn' in target) {
    const r = subject[target.rdn]!;
    const same = subject.filter((x) => x.type === r.type);
    return same.length > 1 ? `subject.${r.type}[${same.indexOf(r)}]` : `subject.${r.type}`;
  }
  const s = sans[target.san]!;
  return `san.${s.type}[${sans.filter((x) => x.type === s.type).indexOf(s)}]`;
}

/**
 * A request with one control character put into one name, signed so that
 * only the name is wrong. The parser must refuse it naming that field.
 * IA5String SAN kinds get only 7-bit controls (a C1 byte there is simply
 * not IA5); string tags that cannot carry the character get UTF8String.
 */
export function controlCharacterCsr(prng: Prng, keys: FuzzKeys): FuzzedCsr {
  const key = prng.chance(0.5) ? keys.p256 : keys.ed25519;
  const { subject, sans } = baselineNames(prng);
  const inSubject = prng.chance(0.5);
  let c = prng.pick(CONTROL_CHARACTERS);
  let target: { rdn: number } | { san: number };
  if (inSubject) {
    target = { rdn: prng.int(subject.length) };
    const r = subject[target.rdn]!;
    // Every tag can carry these code points: one byte per character (Latin-1) for the simple strings.
    r.tag = prng.pick(['utf8', 'printable', 'teletex', 'ia5', 'visible', 'bmp', 'universal'] as const);
    r.value = insertAt(prng, r.value, c);
  } else {
    if (prng.chance(0.25)) sans.push({ type: 'upn', value: 'user@example.com' });
    if (prng.chance(0.2)) sans.push({ type: 'uri', value: 'https://example.com/x' });
    target = { san: prng.int(sans.length) };
    const s = sans[target.san]!;
    if (s.type !== 'upn' && c.charCodeAt(0) >= 0x80) c = String.fromCharCode(c.charCodeAt(0) & 0x7f);
    s.value = insertAt(prng, s.value, c);
  }
  const field = fieldOf(subject, sans, target);
  return { der: rawCsr(key, subject, sans), kind: `control character U+${c.charCodeAt(0).toString(16).padStart(4, '0')} in ${field}`, refusedField: field };
}

function insertAt(prng: Prng, s: string, c: string): string {
  const at = prng.int(s.length + 1);
  return s.slice(0, at) + c + s.slice(at);
}

const SWAP_TAGS = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0a, 0x0c, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a, 0x1c, 0x1e, 0x30, 0x31, 0x80, 0x81, 0x82, 0x86, 0xa0, 0xa3, 0x1f, 0x00];

/**
 * One structural mutation of a baseline request: bit flips, tag
 * swaps (to GeneralizedTime, UTCTime, BMPString …), truncation, corrupted
 * lengths, spliced or duplicated bytes. Most are
 * made inside the CertificationRequestInfo and signed again, so they get
 * past the signature check and reach the name and extension decoders
 * (with either key); the others break a request signed with Ed25519, whose
 * bytes are the same on every run.
 */
export function mutateCsr(prng: Prng, keys: FuzzKeys): FuzzedCsr {
  const resign = prng.chance(0.6);
  const key = resign && prng.chance(0.5) ? keys.p256 : keys.ed25519;
  const { subject, sans } = baselineNames(prng);
  const info = rawCsrInfo(key, subject, sans);
  const target = Buffer.from(resign ? info : signCsr(info, key));
  const nodes = derNodes(target);
  const node = nodes.length ? prng.pick(nodes) : undefined;
  let kind: string;
  let out: Buffer;
  switch (prng.int(8)) {
    case 0: {
      const flips = prng.between(1, 4);
      for (let i = 0; i < flips; i++) target[prng.int(target.length)] ^= 1 << prng.int(8);
      kind = `${flips} bit flip(s)`;
      out = target;
      break;
    }
    case 1: {
      const tag = prng.pick(SWAP_TAGS);
      if (node) target[node.start] = tag;
      kind = `tag 0x${node ? node.tag.toString(16) : '?'} → 0x${tag.toString(16)}`;
      out = target;
      break;
    }
    case 2: {
      const cut = prng.int(target.length);
      kind = `truncated to ${cut} bytes`;
      out = target.subarray(0, cut);
      break;
    }
    case 3: {
      if (!node) {
        kind = 'no node';
        out = target;
        break;
      }
      const choices = [0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, Math.max(0, target[node.lengthAt]! - 1), target[node.lengthAt]! + 1];
      const v = prng.pick(choices) & 0xff;
      target[node.lengthAt] = v;
      kind = `length byte of a 0x${node.tag.toString(16)} → 0x${v.toString(16)}`;
      out = target;
      break;
    }
    case 4: {
      const at = prng.int(target.length);
      const junk = prng.bytes(prng.between(1, 16));
      kind = `${junk.length} random bytes inserted`;
      out = Buffer.concat([target.subarray(0, at), junk, target.subarray(at)]);
      break;
    }
    case 5: {
      const at = prng.int(target.length);
      const n = prng.between(1, 16);
      kind = `${n} bytes removed`;
      out = Buffer.concat([target.subarray(0, at), target.subarray(at + n)]);
      break;
    }
    case 6: {
      if (!node) {
        kind = 'no node';
        out = target;
        break;
      }
      const copy = target.subarray(node.start, node.end);
      kind = `a 0x${node.tag.toString(16)} duplicated`;
      out = Buffer.concat([target.subarray(0, node.end), copy, target.subarray(node.end)]);
      break;
    }
    default: {
      // A long-form length claiming more than there is (or a huge count).
      if (!node) {
        kind = 'no node';
        out = target;
        break;
      }
      const claimed = prng.pick([0x7fff_ffff, 0xffff_ffff, 0x10000, node.end - node.contentAt + 1]);
      kind = `length of a 0x${node.tag.toString(16)} → ${claimed}`;
      const lenEnd = node.contentAt;
      out = Buffer.concat([target.subarray(0, node.lengthAt), Buffer.from([0x84]), u32(claimed), target.subarray(lenEnd)]);
      break;
    }
  }
  return { der: resign ? signCsr(out, key) : out, kind: `${resign ? 'signed again after ' : ''}${kind}` };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Mutations of the text a request travels in (PEM armour, base64). */
export function mutateCsrText(prng: Prng, der: Buffer): { text: string; kind: string } {
  const pem = toCsrPem(der);
  switch (prng.int(7)) {
    case 0:
      return { text: pem.replace('CERTIFICATE REQUEST', prng.pick(['CERTIFICATE', 'NEW CERTIFICATE REQUEST', 'X509 CRL', ''])), kind: 'PEM label changed' };
    case 1:
      return { text: pem.replace(/\n/g, '\r\n'), kind: 'CRLF line ends' };
    case 2: {
      const at = prng.int(pem.length);
      return { text: pem.slice(0, at) + prng.pick(CONTROL_CHARACTERS) + pem.slice(at), kind: 'control character in the PEM text' };
    }
    case 3:
      return { text: pem + pem, kind: 'two PEM blocks' };
    case 4:
      return { text: der.toString('base64').replace(/=+$/, ''), kind: 'base64 without padding' };
    case 5:
      return { text: der.toString('latin1'), kind: 'DER as text' };
    default:
      return { text: `${pem.slice(0, prng.int(pem.length))}`, kind: 'PEM cut short' };
  }
}

