/**
 * Every object identifier the x509 library uses, in one place, so a typo
 * shows up as one wrong line here instead of a silently foreign extension.
 * Sources: RFC 5280 (PKIX), RFC 4519 (attribute types), RFC 8017 (RSA),
 * RFC 5758 (ECDSA), RFC 8410 (EdDSA), RFC 2985 (PKCS#9), RFC 8018 and
 * RFC 7914 (password-based key encryption), Microsoft (UPN).
 */
export const OID = {
  // Certificate extensions, RFC 5280 4.2 (id-ce = 2.5.29).
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  // Private internet extension, RFC 5280 4.2.2.1 (id-pe = 1.3.6.1.5.5.7.1).
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  /** id-pe-acmeIdentifier, RFC 8737 6.1: the TLS-ALPN-01 validation certificate's key authorization digest. */
  acmeIdentifier: '1.3.6.1.5.5.7.1.31',
  // Revocation: CRL and CRL entry extensions (RFC 5280 5.2, 5.3), access
  // methods (4.2.2.1) and OCSP (RFC 6960 4.2.1, 4.4; id-pkix-ocsp = id-ad-ocsp).
  freshestCRL: '2.5.29.46',
  cRLNumber: '2.5.29.20',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  cRLReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  adOcsp: '1.3.6.1.5.5.7.48.1',
  adCaIssuers: '1.3.6.1.5.5.7.48.2',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',

  // Extended key usages, RFC 5280 4.2.1.12 (id-kp = 1.3.6.1.5.5.7.3).
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',

  // otherName type for a Windows user principal name (smart-card logon).
  upn: '1.3.6.1.4.1.311.20.2.3',

  // PKCS#9 attributes in a PKCS#10 request (RFC 2985).
  extensionRequest: '1.2.840.113549.1.9.14',
  challengePassword: '1.2.840.113549.1.9.7',

  // Public key algorithms.
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',

  // Named curves (RFC 5480).
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',

  // Signature algorithms.
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',

  // Hash and mask-generation functions (RSA-PSS parameters).
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  mgf1: '1.2.840.113549.1.1.8',

  // Password-based encryption of PKCS#8 keys: PBES2 and PBKDF2 (RFC 8018),
  // scrypt (RFC 7914), their PRFs, and the ciphers (NIST CSOR, RFC 8018 B.2).
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  scrypt: '1.3.6.1.4.1.11591.4.11',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',

  // Attribute types used in distinguished names (RFC 4519, RFC 2985).
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',
  givenName: '2.5.4.42',
  emailAddress: '1.2.840.113549.1.9.1',
  domainComponent: '0.9.2342.19200300.100.1.25',
  userId: '0.9.2342.19200300.100.1.1',
} as const;

/**
 * Short attribute names (as in RFC 4514 strings and OpenSSL `-subj`) mapped
 * to their OIDs. `E` is kept as the short name for emailAddress because that
 * is what Windows and OpenSSL print; `emailAddress` is accepted as an alias.
 */
export const ATTRIBUTE_TYPES = {
  CN: OID.commonName,
  SN: OID.surname,
  serialNumber: OID.serialNumber,
  C: OID.countryName,
  L: OID.localityName,
  ST: OID.stateOrProvinceName,
  STREET: OID.streetAddress,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  title: OID.title,
  GN: OID.givenName,
  E: OID.emailAddress,
  DC: OID.domainComponent,
  UID: OID.userId,
} as const;

export type AttributeShortName = keyof typeof ATTRIBUTE_TYPES;

/** Aliases accepted when reading a name; never produced. */
const ATTRIBUTE_ALIASES: Record<string, AttributeShortName> = {
  emailaddress: 'E',
  email: 'E',
  s: 'ST',
  serialnumber: 'serialNumber',
  street: 'STREET',
  uid: 'UID',
  gn: 'GN',
  givenname: 'GN',
  surname: 'SN',
};

const SHORT_BY_OID: ReadonlyMap<string, AttributeShortName> = new Map(
  Object.entries(ATTRIBUTE_TYPES).map(([k, v]) => [v, k as AttributeShortName]),
);
const SHORT_BY_UPPER: ReadonlyMap<string, AttributeShortName> = new Map(
  Object.keys(ATTRIBUTE_TYPES).map((k) => [k.toUpperCase(), k as AttributeShortName]),
);

const DOTTED_OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

export function isDottedOid(s: string): boolean {
  return s.length <= 128 && DOTTED_OID.test(s);
}

/**
 * OID of an attribute type given as a short name (case-insensitive) or a
 * dotted OID; undefined when it is neither.
 */
export function attributeTypeOid(type: string): string | undefined {
  if (isDottedOid(type)) return type;
  const short = SHORT_BY_UPPER.get(type.toUpperCase()) ?? ATTRIBUTE_ALIASES[type.toLowerCase()];
  return short ? ATTRIBUTE_TYPES[short] : undefined;
}

/** Short name for an attribute OID when we have one, else the dotted OID. */
export function attributeShortName(oid: string): string {
  return SHORT_BY_OID.get(oid) ?? oid;
}

/** Canonical short name for a type written as short name, alias or OID. */
export function canonicalAttributeType(type: string): string | undefined {
  const oid = attributeTypeOid(type);
  return oid === undefined ? undefined : attributeShortName(oid);
}
