import { constants, verify as nodeVerify, KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { OID } from './oids';
import { children, derSequence, encodeOid, isContextTag, malformed, oidOf, parseDer } from './der';
import { publicKeyFromSpki } from './public-key';

/**
 *   AlgorithmIdentifier  ::=  SEQUENCE  {
 *        algorithm               OBJECT IDENTIFIER,
 *        parameters              ANY DEFINED BY algorithm OPTIONAL  }
 */
export interface AlgorithmId {
  oid: string;
  /** Parameters as decoded; undefined when absent. */
  params?: asn1js.AsnType;
}

type Family = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'eddsa';
interface Scheme {
  family: Family;
  /** Digest for node:crypto; null for EdDSA, which hashes internally. */
  hash: string | null;
  saltLength?: number;
}

const SIMPLE: Record<string, Scheme> = {
  [OID.sha256WithRSAEncryption]: { family: 'rsa-pkcs1', hash: 'sha256' },
  [OID.sha384WithRSAEncryption]: { family: 'rsa-pkcs1', hash: 'sha384' },
  [OID.sha512WithRSAEncryption]: { family: 'rsa-pkcs1', hash: 'sha512' },
  [OID.ecdsaWithSHA256]: { family: 'ecdsa', hash: 'sha256' },
  [OID.ecdsaWithSHA384]: { family: 'ecdsa', hash: 'sha384' },
  [OID.ecdsaWithSHA512]: { family: 'ecdsa', hash: 'sha512' },
  [OID.ed25519]: { family: 'eddsa', hash: null },
  [OID.ed448]: { family: 'eddsa', hash: null },
};

const HASHES: Record<string, string> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };

/** Which key types can produce each family. */
const KEY_TYPES: Record<Family, string[]> = {
  'rsa-pkcs1': ['rsa'],
  'rsa-pss': ['rsa', 'rsa-pss'],
  ecdsa: ['ec'],
  eddsa: ['ed25519', 'ed448'],
};

/**
 * AlgorithmIdentifier DER for a signature algorithm we write. RFC 4055
 * requires NULL parameters for the PKCS#1 v1.5 RSA algorithms; RFC 5758 and
 * RFC 8410 require them absent for ECDSA and EdDSA.
 */
export function encodeSignatureAlgorithm(oid: string): Buffer {
  const scheme = SIMPLE[oid];
  if (!scheme) throw new Error(`signature algorithm ${oid} is not supported for signing`);
  return derSequence(scheme.family === 'rsa-pkcs1' ? [encodeOid(oid), DER_NULL] : [encodeOid(oid)]);
}

const DER_NULL = Buffer.from([0x05, 0x00]);

export function parseAlgorithmIdentifier(block: asn1js.AsnType | undefined, what: string): AlgorithmId {
  const [oid, params, extra] = children(block, what);
  if (extra !== undefined) throw malformed(`${what}: too many components`);
  return { oid: oidOf(oid, `${what} algorithm`), params };
}

function hashOf(block: asn1js.AsnType | undefined, what: string): string {
  const alg = parseAlgorithmIdentifier(block, what);
  const hash = HASHES[alg.oid];
  if (!hash) throw malformed(`RSA-PSS: ${what} ${alg.oid} is not supported (SHA-256/384/512 only)`);
  return hash;
}

/**
 * RFC 4055 3.1. The defaults (SHA-1, MGF1-SHA-1, salt 20) are refused
 * because SHA-1 is; the MGF1 hash must equal the message hash because
 * node:crypto cannot verify any other combination.
 *
 *   RSASSA-PSS-params  ::=  SEQUENCE  {
 *       hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
 *       maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
 *       saltLength         [2] INTEGER DEFAULT 20,
 *       trailerField       [3] INTEGER DEFAULT 1  }
 */
function pssScheme(params: asn1js.AsnType | undefined): Scheme {
  if (params === undefined) throw malformed('RSA-PSS: parameters are required');
  let hash = 'sha1';
  let mgfHash = 'sha1';
  let saltLength = 20;
  for (const field of children(params, 'RSASSA-PSS-params')) {
    const inner = (field as asn1js.Constructed).valueBlock.value?.[0];
    if (isContextTag(field, 0)) hash = hashOf(inner, 'hashAlgorithm');
    else if (isContextTag(field, 1)) {
      const mgf = parseAlgorithmIdentifier(inner, 'maskGenAlgorithm');
      if (mgf.oid !== OID.mgf1) throw malformed(`RSA-PSS: mask generation ${mgf.oid} is not supported`);
      mgfHash = hashOf(mgf.params, 'MGF1 hash');
    } else if (isContextTag(field, 2)) {
      if (!(inner instanceof asn1js.Integer)) throw malformed('RSA-PSS: saltLength must be an INTEGER');
      saltLength = inner.valueBlock.valueDec;
      if (saltLength < 0 || saltLength > 1024) throw malformed('RSA-PSS: saltLength out of range');
    } else if (isContextTag(field, 3)) {
      if (!(inner instanceof asn1js.Integer) || inner.valueBlock.valueDec !== 1) throw malformed('RSA-PSS: trailerField must be 1');
    } else throw malformed('RSA-PSS: unexpected parameter');
  }
  if (hash === 'sha1') throw malformed('RSA-PSS with SHA-1 is not supported');
  if (mgfHash !== hash) throw malformed('RSA-PSS: MGF1 hash must equal the message hash');
  return { family: 'rsa-pss', hash, saltLength };
}

function schemeOf(alg: AlgorithmId): Scheme {
  if (alg.oid === OID.rsassaPss) return pssScheme(alg.params);
  const scheme = SIMPLE[alg.oid];
  if (!scheme) throw malformed(`signature algorithm ${alg.oid} is not supported`, { signatureAlgorithm: alg.oid });
  if (scheme.family === 'rsa-pkcs1') {
    // RFC 4055 says NULL; absent parameters are a common, harmless deviation.
    if (alg.params !== undefined && !(alg.params instanceof asn1js.Null)) throw malformed(`${alg.oid}: parameters must be NULL`);
  } else if (alg.params !== undefined) {
    throw malformed(`${alg.oid}: parameters must be absent`);
  }
  return scheme;
}

/** Checks signatures of one algorithm by one key; the key object is made once, by whoever builds the verifier. */
export type Verifier = (data: Uint8Array, signature: Uint8Array) => Promise<boolean>;

/**
 * A verifier for signatures under `alg` by `key`. Unsupported or
 * inconsistent algorithms throw MalformedRequest here, once; a signature
 * that simply does not verify makes the verifier return false.
 */
export function verifierFor(alg: AlgorithmId, key: KeyObject): Verifier {
  const scheme = schemeOf(alg);
  if (!KEY_TYPES[scheme.family].includes(key.asymmetricKeyType ?? '')) {
    throw malformed(`signature algorithm ${alg.oid} does not match the ${key.asymmetricKeyType} public key`);
  }
  const keyInput =
    scheme.family === 'rsa-pss'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }
      : scheme.family === 'ecdsa'
        ? { key, dsaEncoding: 'der' as const }
        : { key };
  return (data, signature) =>
    new Promise((resolve) => {
      // A malformed signature (e.g. bad ECDSA DER) makes OpenSSL raise; that is a failed verification too.
      try {
        nodeVerify(scheme.hash, data, keyInput, signature, (err, ok) => resolve(!err && ok));
      } catch {
        resolve(false);
      }
    });
}

/**
 * Whether `signature` over `data` verifies with the key in `spki` under
 * `alg`. Unsupported or inconsistent algorithms throw MalformedRequest; a
 * signature that simply does not verify returns false.
 */
export async function verifySignature(alg: AlgorithmId, spki: Buffer, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return verifierFor(alg, publicKeyFromSpki(spki))(data, signature);
}

/** AlgorithmIdentifier from its DER. */
export function decodeAlgorithmIdentifier(der: Buffer, what: string): AlgorithmId {
  return parseAlgorithmIdentifier(parseDer(der, what), what);
}
