import * as asn1js from 'asn1js';
import { ErrorCode } from '@signet/contracts';
import { constants, createCipheriv, createDecipheriv, createHmac, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { children, derSequence, oidOf, parseDer, tlv } from '../der';
import { splitCertificate } from '../inspect';
import { SCEP_CIPHER_OIDS, SCEP_CIPHERS, SCEP_OID, type ScepCipher } from './constants';
import { explicitInner, intDer, nullDer, octetsDer, octetsOf, oidDer, rawOf, scepProblem, setDer } from './der-parts';

/** The RA's certificate and key: what a client's pkcsPKIEnvelope is encrypted to. */
export interface ScepRecipient {
  certificate: Buffer;
  privateKey: KeyObject;
}

export interface OpenedEnvelope {
  content: Buffer;
  cipher: ScepCipher;
}

/**
 * A per-process key for implicit rejection: a key-transport block whose
 * PKCS#1 v1.5 padding does not hold yields a key derived from it under this
 * secret instead of an error, so a bad block and a good block that unlocks
 * garbage fail the same way, later, as one "cannot be decrypted". That keeps
 * the RA from being a Bleichenbacher padding oracle.
 */
const REJECTION_KEY = randomBytes(32);

const cannotDecrypt = () => scepProblem(ErrorCode.MalformedRequest, 'pkcsPKIEnvelope: cannot be decrypted with the RA key', 'badMessageCheck');

/**
 * Opens a pkcsPKIEnvelope (RFC 8894 3.2.2; RFC 5652 6):
 *
 *   ContentInfo { envelopedData, [0] EnvelopedData {
 *     version, [0] originatorInfo OPTIONAL, recipientInfos SET OF RecipientInfo,
 *     encryptedContentInfo { contentType, contentEncryptionAlgorithm, [0] encryptedContent },
 *     [1] unprotectedAttrs OPTIONAL } }
 *
 * The content key comes from the KeyTransRecipientInfo (RSA key transport,
 * rsaEncryption) addressed to the RA's certificate, or the only one there
 * is. AES-CBC always; 3DES-CBC only with `allowDes3`; single DES-CBC only
 * with `allowSingleDes` (56-bit: an operator's explicit opt-in, ADR 0040);
 * anything else is refused as badAlg.
 */
export function openScepEnvelope(der: Buffer, ra: ScepRecipient, opts: { allowDes3: boolean; allowSingleDes?: boolean }): OpenedEnvelope {
  const [type, wrapped] = children(parseDer(der, 'pkcsPKIEnvelope'), 'pkcsPKIEnvelope');
  if (oidOf(type, 'pkcsPKIEnvelope contentType') !== SCEP_OID.envelopedData) {
    throw scepProblem(ErrorCode.MalformedRequest, 'pkcsPKIEnvelope: contentType must be envelopedData', 'badMessageCheck');
  }
  const fields = children(explicitInner(wrapped, 0, 'pkcsPKIEnvelope content'), 'EnvelopedData');
  let i = 1; // version
  if (fields[i] && (fields[i] as asn1js.BaseBlock).idBlock.tagClass === 3) i++; // originatorInfo
  const recipients = children(fields[i++], 'recipientInfos');
  const eci = children(fields[i], 'encryptedContentInfo');
  if (eci.length < 3) throw scepProblem(ErrorCode.MalformedRequest, 'encryptedContentInfo: no encryptedContent', 'badMessageCheck');
  const [algOid, ivBlock] = children(eci[1], 'contentEncryptionAlgorithm').map((b, n) => (n === 0 ? oidOf(b, 'contentEncryptionAlgorithm') : b)) as [string, asn1js.AsnType];
  const cipher = SCEP_CIPHERS[algOid];
  if (!cipher || (cipher.name === 'des-cbc' && !opts.allowSingleDes)) {
    const name = algOid === SCEP_OID.desCbc ? 'single DES' : algOid;
    const accepted = ['AES-CBC', ...(opts.allowDes3 ? ['3DES-CBC'] : []), ...(opts.allowSingleDes ? ['DES-CBC'] : [])];
    throw scepProblem(ErrorCode.MalformedRequest, `pkcsPKIEnvelope: content encryption ${name} is not accepted (${accepted.join(' or ')})`, 'badAlg');
  }
  if (cipher.name === 'des-ede3-cbc' && !opts.allowDes3) {
    throw scepProblem(ErrorCode.MalformedRequest, 'pkcsPKIEnvelope: 3DES is accepted only when legacy SCEP clients are enabled', 'badAlg');
  }
  const iv = octetsOf(ivBlock, 'content encryption IV');
  if (iv.length !== cipher.ivLength) throw scepProblem(ErrorCode.MalformedRequest, `pkcsPKIEnvelope: the IV must be ${cipher.ivLength} bytes`, 'badMessageCheck');
  const ciphertext = octetsOf(eci[2], 'encryptedContent');

  const encryptedKey = keyTransportBlock(recipients, ra.certificate);
  const key = unwrapKey(ra.privateKey, encryptedKey, cipher.keyLength);
  try {
    const d = createDecipheriv(...nodeCipher(cipher.name, key), iv);
    return { content: Buffer.concat([d.update(ciphertext), d.final()]), cipher: cipher.name };
  } catch {
    throw cannotDecrypt();
  }
}

/**
 * Node's cipher and key for `cipher`. OpenSSL 3 has single DES only in its
 * legacy provider, which node does not load; DES-CBC under K is 3DES-CBC
 * (EDE) under K‖K‖K, since encrypt-decrypt-encrypt with one key is one
 * encryption — so no second DES implementation is needed.
 */
function nodeCipher(cipher: ScepCipher, key: Buffer): [string, Buffer] {
  return cipher === 'des-cbc' ? ['des-ede3-cbc', Buffer.concat([key, key, key])] : [cipher, key];
}

/** The encryptedKey of the KeyTransRecipientInfo for `raCert` (by issuer and serial), or of the only one there is. */
function keyTransportBlock(recipients: asn1js.AsnType[], raCert: Buffer): Buffer {
  const ra = splitCertificate(raCert);
  const ktris = recipients.filter((r) => r instanceof asn1js.Sequence);
  if (ktris.length === 0) throw scepProblem(ErrorCode.MalformedRequest, 'recipientInfos: no KeyTransRecipientInfo (RSA key transport)', 'badAlg');
  let chosen: asn1js.AsnType[] | undefined;
  for (const r of ktris) {
    const f = children(r, 'KeyTransRecipientInfo');
    if (f.length !== 4) throw scepProblem(ErrorCode.MalformedRequest, 'KeyTransRecipientInfo: expected 4 fields', 'badMessageCheck');
    const rid = f[1];
    if (rid instanceof asn1js.Sequence) {
      const [issuer, serial] = children(rid, 'IssuerAndSerialNumber');
      if (issuer && serial && rawOf(issuer).equals(ra.issuerDer) && serial instanceof asn1js.Integer && Buffer.from(serial.valueBlock.valueHexView).equals(ra.serial)) chosen = f;
    }
  }
  if (!chosen && ktris.length === 1) chosen = children(ktris[0], 'KeyTransRecipientInfo');
  if (!chosen) throw scepProblem(ErrorCode.MalformedRequest, 'recipientInfos: none is for the RA certificate', 'badMessageCheck');
  const alg = children(chosen[2], 'keyEncryptionAlgorithm');
  if (oidOf(alg[0], 'keyEncryptionAlgorithm') !== SCEP_OID.rsaEncryption) {
    throw scepProblem(ErrorCode.MalformedRequest, 'keyEncryptionAlgorithm: only rsaEncryption (PKCS#1 v1.5 key transport) is accepted', 'badAlg');
  }
  return octetsOf(chosen[3], 'encryptedKey');
}

/**
 * RSAES-PKCS1-v1_5 decryption (RFC 8017 7.2.2) of the content key, with
 * implicit rejection: the raw RSA result is unpadded here (node refuses
 * PKCS#1 v1.5 private decryption since the Marvin advisory), and every
 * failure — wrong length, bad padding, a key of the wrong size — returns a
 * key derived from the block instead of throwing.
 */
function unwrapKey(privateKey: KeyObject, block: Buffer, keyLength: number): Buffer {
  const synthetic = createHmac('sha256', REJECTION_KEY).update(block).digest().subarray(0, keyLength);
  const k = Math.ceil((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (privateKey.asymmetricKeyType !== 'rsa' || block.length !== k) return synthetic;
  let em: Buffer;
  try {
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);
  } catch {
    return synthetic;
  }
  // EM = 0x00 || 0x02 || PS (≥ 8 non-zero octets) || 0x00 || M, scanned whole whatever it holds.
  let separator = 0;
  for (let j = 2; j < em.length; j++) if (separator === 0 && em[j] === 0) separator = j;
  const ok = em[0] === 0 && em[1] === 2 && separator >= 10 && em.length - separator - 1 === keyLength;
  return ok ? em.subarray(separator + 1) : synthetic;
}

/**
 * Seals `content` for the holder of `recipientCert` (RFC 8894 3.2.2): a
 * fresh content key under `cipher`, transported with RSA PKCS#1 v1.5
 * (rsaEncryption, what every SCEP client decrypts). The recipient is named
 * by issuer and serial. Throws badAlg when the certificate's key is not RSA.
 */
export function sealScepEnvelope(content: Buffer, recipientCert: Buffer, cipher: ScepCipher): Buffer {
  const cert = splitCertificate(recipientCert);
  const publicKey = createPublicKey({ key: cert.spki, format: 'der', type: 'spki' });
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw scepProblem(ErrorCode.MalformedRequest, 'the signer certificate has no RSA key to encrypt the answer to', 'badAlg');
  }
  const spec = SCEP_CIPHERS[SCEP_CIPHER_OIDS[cipher]];
  const key = randomBytes(spec.keyLength);
  const iv = randomBytes(spec.ivLength);
  const c = createCipheriv(...nodeCipher(cipher, key), iv);
  const ciphertext = Buffer.concat([c.update(content), c.final()]);
  const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, key);
  const ktri = derSequence([
    intDer(0),
    derSequence([cert.issuerDer, tlv(0x02, cert.serial)]),
    derSequence([oidDer(SCEP_OID.rsaEncryption), nullDer]),
    octetsDer(encryptedKey),
  ]);
  const eci = derSequence([oidDer(SCEP_OID.data), derSequence([oidDer(SCEP_CIPHER_OIDS[cipher]), octetsDer(iv)]), tlv(0x80, ciphertext)]);
  const envelopedData = derSequence([intDer(0), setDer([ktri]), eci]);
  return derSequence([oidDer(SCEP_OID.envelopedData), tlv(0xa0, envelopedData)]);
}
