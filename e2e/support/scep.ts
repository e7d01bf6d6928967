import { buildScepRequest, splitCertificate, type ScepCipher, type ScepMessageType } from '@signet/x509';
import { mutateCsr, type FuzzKeys, type Prng } from '@signet/testing';
import { type KeyObject } from 'node:crypto';
import { type FuzzRequest } from './protocol-fuzz';

/** One DER element (short or long length form). */
export function derTlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

export interface ScepFuzzCase extends FuzzRequest {
  kind: string;
  /** Set when the message is a pkiMessage the RA can read: the CertRep must echo it. */
  transactionId?: string;
  /** A GetCRL whose content parses: SUCCESS is the right answer. */
  successAllowed?: boolean;
}

const MESSAGE_TYPES = [19, 17, 20, 21, 22, 3, 0, 99] as const;
const CIPHERS: readonly ScepCipher[] = ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'aes-128-cbc', 'des-ede3-cbc', 'des-cbc'];
const DIGESTS = ['sha1', 'sha256', 'sha384', 'sha512'] as const;

/** A well-formed pkiMessage around broken content, as the fuzz run's cases start from. */
interface Built {
  message: Buffer;
  transactionId: string;
  kind: string;
  successAllowed: boolean;
}

function wellFormed(prng: Prng, keys: FuzzKeys, signer: { certificate: Buffer; privateKey: KeyObject }, ra: Buffer, names: { ca: Buffer; signer: Buffer }): Built {
  const transactionId = `fuzz-${prng.bytes(6).toString('hex')}`;
  const messageType = prng.pick(MESSAGE_TYPES);
  const cipher = prng.pick(CIPHERS);
  const serial = Buffer.concat([Buffer.from([1 + prng.int(0x7f)]), prng.bytes(prng.int(20))]);
  let content: Buffer;
  let successAllowed = false;
  switch (prng.int(4)) {
    case 0:
      content = mutateCsr(prng, keys).der;
      break;
    case 1:
      content = prng.bytes(prng.int(300));
      break;
    default:
      content = derTlv(0x30, Buffer.concat([prng.chance(0.7) ? names.ca : names.signer, derTlv(0x02, serial)]));
      successAllowed = messageType === 22 && !cipher.startsWith('des');
  }
  const message = buildScepRequest({
    messageType: messageType as ScepMessageType,
    transactionId,
    senderNonce: prng.bytes(16),
    signer,
    digest: prng.pick(DIGESTS),
    content,
    recipient: prng.chance(0.9) ? ra : signer.certificate,
    cipher,
  });
  return { message, transactionId, kind: `messageType ${messageType}, ${cipher}, ${content.length}-byte content`, successAllowed };
}

/**
 * Fuzzed SCEP requests (RFC 8894 4), one per call: a well-formed pkiMessage
 * around broken content (mutated CSRs, junk, IssuerAndSerialNumbers with
 * random serials; every messageType, cipher and digest, sealed to the RA or
 * to the wrong key), the same bytes mutated after signing, or broken HTTP
 * (operations, parameters, media types, base64). None carries a valid
 * challengePassword. Signing and sealing cost milliseconds each, so the
 * well-formed messages come from a pool of `poolSize` built first (each
 * fresh transactionID and nonce), and the cases vary around them.
 */
export function scepFuzzCases(prng: Prng, keys: FuzzKeys, signer: { certificate: Buffer; privateKey: KeyObject }, ra: Buffer, caSubject: Buffer, poolSize = 300): () => ScepFuzzCase {
  const names = { ca: caSubject, signer: splitCertificate(signer.certificate).subjectDer };
  const pool = Array.from({ length: poolSize }, () => wellFormed(prng, keys, signer, ra, names));
  return () => scepFuzzCase(prng, prng.pick(pool));
}

function scepFuzzCase(prng: Prng, built: Built): ScepFuzzCase {
  const { message, transactionId, successAllowed } = built;
  const kind = built.kind;
  const post = (body: Buffer, k: string, contentType = 'application/x-pki-message'): ScepFuzzCase => ({
    kind: k,
    method: 'POST',
    path: '/scep?operation=PKIOperation',
    headers: contentType ? { 'content-type': contentType } : {},
    body,
  });
  const get = (body: Buffer, k: string): ScepFuzzCase => {
    const b64 = body.toString('base64');
    const text = prng.chance(0.3) ? b64.replace(/\+/g, ' ') : prng.chance(0.3) ? b64.replace(/(.{64})/g, '$1\n') : b64;
    return { kind: k, method: 'GET', path: `/cgi-bin/pkiclient.exe?operation=PKIOperation&message=${encodeURIComponent(text)}` };
  };
  switch (prng.int(10)) {
    case 0:
    case 1:
    case 2:
    case 3: {
      // The message as built: the RA must read it and answer a CertRep.
      const c = prng.chance(0.7) ? post(message, kind, prng.pick(['application/x-pki-message', 'application/octet-stream', ''])) : get(message, `${kind} by GET`);
      return { ...c, transactionId, successAllowed };
    }
    case 4:
    case 5:
    case 6: {
      const m = Buffer.from(message);
      const flips = 1 + prng.int(4);
      for (let f = 0; f < flips; f++) m[prng.int(m.length)] ^= 1 << prng.int(8);
      const body = prng.chance(0.2) ? m.subarray(0, prng.int(m.length)) : prng.chance(0.1) ? Buffer.concat([m, prng.bytes(1 + prng.int(20))]) : m;
      // A flip outside what the signature covers (the signer certificate's own signature, say) leaves a message that still holds.
      return { ...(prng.chance(0.6) ? post(body, `${kind}, ${flips} bits flipped`) : get(body, `${kind}, ${flips} bits flipped, by GET`)), successAllowed };
    }
    default: {
      const b64 = message.toString('base64');
      return prng.pick<ScepFuzzCase>([
        { kind: 'no operation', method: 'GET', path: '/scep' },
        { kind: 'unknown operation', method: 'GET', path: `/scep?operation=${encodeURIComponent(prng.bytes(4).toString('latin1'))}` },
        { kind: 'operation twice', method: 'GET', path: '/scep?operation=GetCACaps&operation=GetCACert' },
        { kind: 'message twice', method: 'GET', path: `/scep?operation=PKIOperation&message=${encodeURIComponent(b64)}&message=AAAA` },
        { kind: 'no message', method: 'GET', path: '/scep?operation=PKIOperation' },
        { kind: 'message not base64', method: 'GET', path: `/scep?operation=PKIOperation&message=${encodeURIComponent(`${b64.slice(0, 40)}!*%`)}` },
        { kind: 'base64 of junk', method: 'GET', path: `/scep?operation=PKIOperation&message=${encodeURIComponent(prng.bytes(1 + prng.int(200)).toString('base64'))}` },
        // SCEP reads a POST body raw whatever its media type (ADR 0040), bar JSON, which the JSON parser refuses first.
        post(message, 'JSON media type', 'application/json'),
        { ...post(message, 'form media type', 'application/x-www-form-urlencoded'), transactionId, successAllowed },
        post(Buffer.alloc(0), 'empty body'),
        post(prng.bytes(70_000), 'oversized junk', 'application/octet-stream'),
        { kind: 'POST of GetCACert', method: 'POST', path: '/scep?operation=GetCACert', headers: { 'content-type': 'application/x-pki-message' }, body: message },
        { kind: 'POST without operation', method: 'POST', path: '/scep', headers: { 'content-type': 'application/x-pki-message' }, body: message },
      ]);
    }
  }
}
