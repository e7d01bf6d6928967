export * from './oids';
export * from './extensions';
export { toPem, fromPem, pemBlocks, decodeRequestText, decodeCertificateText } from './pem';
export { nameToPkijs, nameFromPkijs, formatName, parseNameString, validateName, encodeName, decodeName, attributeMaxLength } from './names';
export { parseCsr } from './csr';
export type { ParsedCsr } from './csr';
export { createCsr } from './csr-create';
export type { CsrOptions } from './csr-create';
export { challengePasswordOf } from './csr-challenge';
export { certsOnlyPkcs7, readCertsOnlyPkcs7 } from './pkcs7/certs-only';
export { encodeCsrAttrs } from './pkcs7/csr-attrs';
export { CA_KEY_ALGORITHMS, MIN_PASSPHRASE_LENGTH, generateKeyPair, encryptPrivateKey, decryptPrivateKey, keyAlgorithmOf } from './keys';
export type { CaKeyAlgorithm } from './keys';
export {
  KEY_ENCRYPTION,
  OPENSSL_SCRYPT_MAX_MEM,
  describeKeyEncryption,
  isCurrentKeyEncryption,
  keyEncryptionOf,
  scryptMemoryBytes,
} from './encrypted-private-key';
export type { KeyEncryptionInfo, ScryptParams } from './encrypted-private-key';
export { createSigner } from './signer';
export type { Signer } from './signer';
export { randomSerialHex } from './serial';
export { prepareCertificate, prepareIssuer, issueCertificate } from './certificate';
export type { CertificateSpec, IssuerInfo, PreparedCertificate, PreparedIssuer } from './certificate';
export { createSelfSignedCa } from './self-signed';
export type { SelfSignedCaOptions } from './self-signed';
export { lintCertificate } from './lint';
export type { LintIssuer, LintOptions } from './lint';
export { BOUNDED_EXTENSIONS, CA_KEY_USAGES, caPowers, extensionWidening } from './narrowing';
export type { ExtensionSetting } from './narrowing';
export { parseCertificate, splitCertificate, verifyCertificateSignature } from './inspect';
export type { CertificateParts, CertificateSummary } from './inspect';
export { describePublicKey } from './public-key';
export { dnsNameProblem, isValidDnsName } from './dns-name';
export { encodeExtensions } from './extension-list';
export { encodeExtensionValue } from './extension-value';
export type { RawExtension } from './extension-list';
export { initCrypto } from './engine';
export * from './crl';
export * from './ocsp';
export { readAcmeValidationCertificate } from './acme-validation-certificate';
export type { AcmeValidationCertificate } from './acme-validation-certificate';
export * from './scep';
export { certificateNames } from './certificate-names';
export type { CertificateName } from './certificate-names';
