import type { PublicKeyInfo, San } from '@signet/contracts';
import { isSignetError } from '@signet/contracts';
import { OID } from './oids';
import {
  BasicConstraints,
  KeyUsageName,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  decodeSubjectAltName,
  subjectKeyIdentifier,
} from './extensions';
import { validateName } from './names';
import { describePublicKey } from './public-key';
import { dnsNameProblem } from './dns-name';
import { caPowers } from './narrowing';
import { oidProblem } from './der';
import type { CertificateSpec } from './certificate-spec';

/** What lint needs to know about the issuing CA certificate. */
export interface LintIssuer {
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo of the CA key (to check the AKI). */
  spki: Buffer;
  /** Whether the issuer certificate is a CA (basicConstraints cA TRUE); undefined = not checked. */
  isCa?: boolean;
  /** The issuer's pathLenConstraint, if it has one: how many CA certificates may follow it. */
  pathLength?: number;
  /** subjectKeyIdentifier(spki), when the caller has it already (a prepared issuer); computed from spki otherwise. */
  keyId?: Buffer;
}

/**
 * What the certificate may be, decided by whoever issues it, never by what
 * the certificate says about itself (ADR 0023).
 */
export interface LintOptions {
  /** The subject key as the policy saw it; derived from spec.spki when absent. */
  keyInfo?: PublicKeyInfo;
  /**
   * Whether this may be a CA certificate. False (the default): cA TRUE, a
   * pathLenConstraint, keyCertSign and cRLSign are all refused.
   */
  caAllowed?: boolean;
}

/** Decoded view of the spec's extensions, so each rule reads like its RFC sentence. */
interface Facts {
  spec: CertificateSpec;
  ca: LintIssuer;
  caAllowed: boolean;
  key?: PublicKeyInfo;
  keyUsage?: KeyUsageName[];
  extKeyUsage?: string[];
  basicConstraints?: BasicConstraints;
  sans?: San[];
  sanCritical?: boolean;
  aki?: Buffer;
}

type Rule = (f: Facts) => string[];

const MAX_SERIAL_OCTETS = 20;

/** RFC 5280 4.1.2.2: positive, non-zero, at most 20 octets. */
const serial: Rule = ({ spec }) => {
  if (!/^(?:[0-9a-f]{2})+$/.test(spec.serialHex)) return ['serial: must be an even number of lower-case hex digits'];
  const stripped = spec.serialHex.replace(/^(?:00)+/, '');
  if (stripped === '') return ['serial: must not be zero'];
  // Positive INTEGER: a leading byte >= 0x80 needs a 00 in front.
  const octets = stripped.length / 2 + (parseInt(stripped.slice(0, 2), 16) >= 0x80 ? 1 : 0);
  if (octets > MAX_SERIAL_OCTETS) return [`serial: ${octets} octets, more than ${MAX_SERIAL_OCTETS}`];
  return [];
};

const validity: Rule = ({ spec, ca }) => {
  const out: string[] = [];
  const nb = spec.notBefore.getTime();
  const na = spec.notAfter.getTime();
  if (!Number.isFinite(nb) || !Number.isFinite(na)) return ['validity: invalid date'];
  if (nb >= na) out.push('validity: notBefore must be before notAfter');
  if (nb < ca.notBefore.getTime()) out.push('validity: notBefore is before the CA certificate\'s notBefore');
  if (na > ca.notAfter.getTime()) out.push('validity: notAfter is after the CA certificate\'s notAfter');
  if (spec.notBefore.getUTCFullYear() < 1950) out.push('validity: dates before 1950 are not supported');
  if (spec.notAfter.getUTCFullYear() > 9999) out.push('validity: notAfter beyond year 9999');
  return out;
};

/** RFC 5280 4.2: "A certificate MUST NOT include more than one instance of a particular extension." */
const uniqueExtensions: Rule = ({ spec }) => {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of spec.extensions) {
    if (seen.has(e.oid)) out.push(`extensions: ${e.oid} appears more than once`);
    seen.add(e.oid);
  }
  return out;
};

/** An extension OID DER cannot carry would be written as some other OID (X.690 8.19.4): refused, never re-encoded. */
const extensionOids: Rule = ({ spec }) =>
  spec.extensions.flatMap((e) => {
    const problem = oidProblem(e.oid);
    return problem ? [`extensions: ${JSON.stringify(e.oid.slice(0, 64))} is not an object identifier (${problem})`] : [];
  });

const subjectName: Rule = ({ spec }) => {
  try {
    validateName(spec.subject);
    return [];
  } catch (e) {
    return [isSignetError(e) ? e.message : 'subject: invalid'];
  }
};

/** RFC 5280 4.1.2.6 / 4.2.1.6: an empty subject needs a critical, non-empty SAN. */
const emptySubject: Rule = ({ spec, sans, sanCritical }) => {
  if (spec.subject.length > 0) return [];
  if (!sans || sans.length === 0) return ['subject is empty and there is no subjectAltName'];
  if (!sanCritical) return ['subject is empty, so subjectAltName must be critical'];
  return [];
};

/** Key usages a key type cannot perform (RFC 5480 3, RFC 8410 5, RFC 4055 1.2). */
const keyUsageMatchesKey: Rule = ({ key, keyUsage }) => {
  if (!key || !keyUsage) return [];
  const forbidden: KeyUsageName[] =
    key.algorithm === 'rsa'
      ? ['keyAgreement', 'encipherOnly', 'decipherOnly']
      : key.algorithm === 'ec'
        ? ['keyEncipherment', 'dataEncipherment']
        : key.algorithm === 'ed25519' || key.algorithm === 'ed448'
          ? ['keyEncipherment', 'dataEncipherment', 'keyAgreement', 'encipherOnly', 'decipherOnly']
          : [];
  return keyUsage.filter((u) => forbidden.includes(u)).map((u) => `keyUsage: ${u} is not possible with an ${key.algorithm} key`);
};

/** RFC 5280 4.2.1.3 / 4.2.1.9: CA bits and cA flag go together; CA certificates mark basicConstraints critical. */
const caConsistency: Rule = ({ spec, keyUsage, basicConstraints }) => {
  const out: string[] = [];
  const isCa = basicConstraints?.ca === true;
  if (keyUsage?.includes('keyCertSign') && !isCa) out.push('keyUsage: keyCertSign requires basicConstraints cA TRUE');
  if (isCa) {
    if (!spec.extensions.find((e) => e.oid === OID.basicConstraints)?.critical) out.push('basicConstraints: must be critical in a CA certificate');
    if (!keyUsage?.includes('keyCertSign')) out.push('keyUsage: a CA certificate needs keyCertSign');
    if (spec.subject.length === 0) out.push('subject: a CA certificate needs a non-empty subject');
  }
  if (basicConstraints?.pathLength !== undefined && !keyUsage?.includes('keyCertSign')) {
    out.push('basicConstraints: pathLenConstraint without keyCertSign');
  }
  return out;
};

/**
 * A certificate that may not be a CA carries none of a CA's powers, however
 * consistent they are among themselves: an end-entity template never yields
 * a certificate that can sign certificates or CRLs (ADR 0023).
 */
const caPowersOnlyWhenAllowed: Rule = ({ spec, caAllowed }) => {
  if (caAllowed) return [];
  const out: string[] = [];
  for (const e of spec.extensions) {
    const name = e.oid === OID.basicConstraints ? 'basicConstraints' : 'keyUsage';
    for (const power of caPowers(e.oid, e)) out.push(`${name}: ${power} is not allowed: the certificate is not issued under a CA template`);
  }
  return out;
};

/** RFC 5280 4.2.1.3: "When the keyUsage extension appears in a certificate, at least one of the bits MUST be set to 1." */
const keyUsageNotEmpty: Rule = ({ keyUsage }) => (keyUsage && keyUsage.length === 0 ? ['keyUsage: no usage is set (RFC 5280 4.2.1.3)'] : []);

const issuerIsCa: Rule = ({ ca }) => (ca.isCa === false ? ['issuer: the issuing certificate is not a CA'] : []);

/** RFC 5280 4.2.1.9: a CA certificate below an issuer with pathLenConstraint n must leave a shorter path. */
const issuerPathLength: Rule = ({ ca, basicConstraints }) => {
  if (!basicConstraints?.ca || ca.pathLength === undefined) return [];
  if (ca.pathLength === 0) return ['basicConstraints: the issuing CA\'s pathLenConstraint 0 allows no CA certificate below it'];
  if (basicConstraints.pathLength === undefined || basicConstraints.pathLength >= ca.pathLength) {
    return [`basicConstraints: pathLenConstraint must be below the issuing CA's ${ca.pathLength}`];
  }
  return [];
};

const serverAuthNeedsName: Rule = ({ extKeyUsage, sans }) => {
  if (!extKeyUsage?.includes(OID.serverAuth)) return [];
  return sans?.some((s) => s.type === 'dns' || s.type === 'ip') ? [] : ['extKeyUsage: serverAuth needs at least one DNS or IP subjectAltName'];
};

const sanSyntax: Rule = ({ sans }) => {
  const out: string[] = [];
  for (const s of sans ?? []) {
    if (s.type === 'dns') {
      const p = dnsNameProblem(s.value);
      if (p) out.push(`subjectAltName: DNS name "${s.value}" ${p}`);
    } else if ((s.type === 'email' || s.type === 'upn') && !/^[^@\s]+@[^@\s]+$/.test(s.value)) {
      out.push(`subjectAltName: ${s.type} "${s.value}" is not local@domain`);
    }
  }
  return out;
};

/** The AKI must name the key that signs, or path building picks the wrong CA. */
const akiMatchesIssuer: Rule = ({ ca, aki }) => {
  if (!aki) return [];
  try {
    return aki.equals(ca.keyId ?? subjectKeyIdentifier(ca.spki)) ? [] : ['authorityKeyIdentifier: does not match the CA key'];
  } catch {
    return ['issuer: CA public key is not a valid SubjectPublicKeyInfo'];
  }
};

const RULES: Rule[] = [
  serial,
  validity,
  uniqueExtensions,
  extensionOids,
  subjectName,
  emptySubject,
  keyUsageMatchesKey,
  keyUsageNotEmpty,
  caConsistency,
  caPowersOnlyWhenAllowed,
  issuerIsCa,
  issuerPathLength,
  serverAuthNeedsName,
  sanSyntax,
  akiMatchesIssuer,
];

/** Decode the extensions lint reasons about; undecodable ones become problems. */
function gatherFacts(spec: CertificateSpec, ca: LintIssuer, opts: LintOptions, problems: string[]): Facts {
  const facts: Facts = { spec, ca, caAllowed: opts.caAllowed === true, key: opts.keyInfo };
  if (!facts.key) {
    try {
      facts.key = describePublicKey(spec.spki);
    } catch {
      problems.push('subjectPublicKeyInfo: not a readable public key');
    }
  }
  const decode = <T>(oid: string, name: string, fn: (der: Buffer) => T): T | undefined => {
    const ext = spec.extensions.find((e) => e.oid === oid);
    if (!ext) return undefined;
    try {
      return fn(ext.value);
    } catch (e) {
      problems.push(`${name}: cannot decode (${isSignetError(e) ? e.message : 'invalid DER'})`);
      return undefined;
    }
  };
  facts.keyUsage = decode(OID.keyUsage, 'keyUsage', decodeKeyUsage);
  facts.extKeyUsage = decode(OID.extKeyUsage, 'extKeyUsage', decodeExtKeyUsage);
  facts.basicConstraints = decode(OID.basicConstraints, 'basicConstraints', decodeBasicConstraints);
  facts.sans = decode(OID.subjectAltName, 'subjectAltName', decodeSubjectAltName);
  facts.sanCritical = spec.extensions.find((e) => e.oid === OID.subjectAltName)?.critical;
  facts.aki = decode(OID.authorityKeyIdentifier, 'authorityKeyIdentifier', decodeAuthorityKeyIdentifier);
  return facts;
}

/**
 * Problems with a certificate about to be signed; empty means it may be
 * signed. Pure: no clock, no I/O; the same input gives the same answer.
 * An end-entity certificate unless `opts.caAllowed` says otherwise.
 */
export function lintCertificate(spec: CertificateSpec, ca: LintIssuer, opts: LintOptions = {}): string[] {
  const problems: string[] = [];
  const facts = gatherFacts(spec, ca, opts, problems);
  for (const rule of RULES) problems.push(...rule(facts));
  return problems;
}

