/**
 * SCEP's object identifiers and enumerations (RFC 8894 3.2.1, 3.3), in one
 * place. The attribute OIDs sit under VeriSign's arc
 * id-VeriSign pki(1) attributes(9) = 2.16.840.1.113733.1.9.
 */
export const SCEP_OID = {
  messageType: '2.16.840.1.113733.1.9.2',
  pkiStatus: '2.16.840.1.113733.1.9.3',
  failInfo: '2.16.840.1.113733.1.9.4',
  senderNonce: '2.16.840.1.113733.1.9.5',
  recipientNonce: '2.16.840.1.113733.1.9.6',
  transactionId: '2.16.840.1.113733.1.9.7',

  // CMS (RFC 5652) content types and attributes.
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',

  // Content encryption (RFC 3565 for AES, RFC 3370 for 3DES and single DES; single DES only by an explicit opt-in).
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
  desCbc: '1.3.14.3.2.7',

  // Digests and signatures a request may use.
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',

  challengePassword: '1.2.840.113549.1.9.7',
} as const;

/** messageType (RFC 8894 3.2.1.2). */
export const ScepMessageType = {
  CertRep: 3,
  RenewalReq: 17,
  PKCSReq: 19,
  CertPoll: 20,
  GetCert: 21,
  GetCRL: 22,
} as const;
export type ScepMessageType = (typeof ScepMessageType)[keyof typeof ScepMessageType];

/** pkiStatus (RFC 8894 3.2.1.3). */
export const ScepPkiStatus = { SUCCESS: 0, FAILURE: 2, PENDING: 3 } as const;
export type ScepPkiStatus = keyof typeof ScepPkiStatus;

/** failInfo (RFC 8894 3.2.1.4). */
export const ScepFailInfo = { badAlg: 0, badMessageCheck: 1, badRequest: 2, badTime: 3, badCertId: 4 } as const;
export type ScepFailInfo = keyof typeof ScepFailInfo;

/** Digests a request's signer may use, and what a CertRep answers with (the request's, so the client can check it). */
export const SCEP_DIGESTS: Readonly<Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'>> = {
  [SCEP_OID.sha1]: 'sha1',
  [SCEP_OID.sha256]: 'sha256',
  [SCEP_OID.sha384]: 'sha384',
  [SCEP_OID.sha512]: 'sha512',
};

/**
 * Content ciphers: node's name (`des-cbc` is Signet's: OpenSSL 3 keeps
 * single DES in its legacy provider, so it is run as 3DES with the key
 * thrice), key and IV length. 3DES only when the caller allows legacy
 * clients; single DES only when it allows single-DES clients.
 */
export type ScepCipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc' | 'des-cbc';
export const SCEP_CIPHERS: Readonly<Record<string, { name: ScepCipher; keyLength: number; ivLength: number }>> = {
  [SCEP_OID.aes128Cbc]: { name: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  [SCEP_OID.aes192Cbc]: { name: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  [SCEP_OID.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  [SCEP_OID.desEde3Cbc]: { name: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  [SCEP_OID.desCbc]: { name: 'des-cbc', keyLength: 8, ivLength: 8 },
};
export const SCEP_CIPHER_OIDS: Readonly<Record<ScepCipher, string>> = {
  'aes-128-cbc': SCEP_OID.aes128Cbc,
  'aes-192-cbc': SCEP_OID.aes192Cbc,
  'aes-256-cbc': SCEP_OID.aes256Cbc,
  'des-ede3-cbc': SCEP_OID.desEde3Cbc,
  'des-cbc': SCEP_OID.desCbc,
};
