import type { San } from '@signet/contracts';
import { isSignetError } from '@signet/contracts';
import { OID } from './oids';
import { decodeBasicConstraints, decodeExtKeyUsage, decodeKeyUsage, decodeSubjectAltName, type KeyUsageName } from './extensions';

/**
 * The extensions whose value bounds what a certificate may do or whom it
 * names. A template sets them (through the policy); an administrator's
 * extension of the same OID may narrow them, never widen them (ADR 0023).
 */
export const BOUNDED_EXTENSIONS: Readonly<Record<string, string>> = {
  [OID.keyUsage]: 'keyUsage',
  [OID.extKeyUsage]: 'extKeyUsage',
  [OID.subjectAltName]: 'subjectAltName',
  [OID.basicConstraints]: 'basicConstraints',
};

/** Key usages only a CA certificate may carry (RFC 5280 4.2.1.3: keyCertSign needs cA TRUE; cRLSign signs CRLs). */
export const CA_KEY_USAGES: readonly KeyUsageName[] = ['keyCertSign', 'cRLSign'];

/** One extension as it would go into the certificate; `disabled` keeps it out. */
export interface ExtensionSetting {
  critical: boolean;
  value: Buffer;
  disabled?: boolean;
}

/**
 * What a CA certificate could do that this extension grants: `cA TRUE`,
 * `pathLenConstraint`, `keyCertSign`, `cRLSign`. Empty for any other
 * extension, for a disabled one, and for a value that does not decode (lint
 * reports that separately).
 */
export function caPowers(oid: string, ext: ExtensionSetting): string[] {
  if (ext.disabled) return [];
  try {
    if (oid === OID.basicConstraints) {
      const bc = decodeBasicConstraints(ext.value);
      return [...(bc.ca ? ['cA TRUE'] : []), ...(bc.pathLength !== undefined ? ['pathLenConstraint'] : [])];
    }
    if (oid === OID.keyUsage) return decodeKeyUsage(ext.value).filter((u) => CA_KEY_USAGES.includes(u));
  } catch (e) {
    if (!isSignetError(e)) throw e;
  }
  return [];
}

/**
 * Why `edit` (an administrator's extension) would give the certificate more
 * than `bound` (the extension the template sets for the same OID; undefined
 * when it sets none), or undefined when the edit only narrows. Judged for
 * the OIDs in BOUNDED_EXTENSIONS; any other OID gives undefined and is the
 * caller's to decide.
 *
 * - keyUsage: only usages `bound` has (none of keyCertSign, cRLSign when it
 *   sets no keyUsage); disabling it when `bound` has one lifts the limit.
 * - extKeyUsage: only purposes `bound` has (anyExtendedKeyUsage included);
 *   disabling it when `bound` has one makes the key good for any purpose.
 * - basicConstraints: cA TRUE only when `bound` has it, with a path length
 *   no longer than its; disabling is fine (no extension is cA FALSE).
 * - subjectAltName: only names `bound` has; none when it sets no SAN.
 * - A critical `bound` stays critical: a relying party that does not know a
 *   non-critical extension ignores the limit it sets.
 */
export function extensionWidening(oid: string, bound: ExtensionSetting | undefined, edit: ExtensionSetting): string | undefined {
  const name = BOUNDED_EXTENSIONS[oid];
  if (!name) return undefined;
  const limit = bound && !bound.disabled ? bound : undefined;
  try {
    if (edit.disabled) {
      if (!limit) return undefined;
      if (oid === OID.keyUsage) return `disables keyUsage, which the template limits to ${decodeKeyUsage(limit.value).join(', ')}`;
      if (oid === OID.extKeyUsage) return `disables extKeyUsage, which the template limits to ${decodeExtKeyUsage(limit.value).map(purposeName).join(', ')}: the key would be good for any purpose`;
      return undefined;
    }
    if (limit?.critical && !edit.critical) return `makes ${name} non-critical, which the template marks critical`;
    switch (oid) {
      case OID.keyUsage:
        return keyUsageWidening(decodeKeyUsage(edit.value), limit && decodeKeyUsage(limit.value));
      case OID.extKeyUsage:
        return extKeyUsageWidening(decodeExtKeyUsage(edit.value), limit && decodeExtKeyUsage(limit.value));
      case OID.basicConstraints:
        return basicConstraintsWidening(edit.value, limit?.value);
      default:
        return sanWidening(decodeSubjectAltName(edit.value), limit && decodeSubjectAltName(limit.value));
    }
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return `cannot be decoded (${e.message})`;
  }
}

function keyUsageWidening(edit: KeyUsageName[], limit: KeyUsageName[] | undefined): string | undefined {
  const extra = limit ? edit.filter((u) => !limit.includes(u)) : edit.filter((u) => CA_KEY_USAGES.includes(u));
  if (extra.length === 0) return undefined;
  return limit
    ? `adds ${extra.join(', ')}; the template allows ${limit.join(', ')}`
    : `adds ${extra.join(', ')}, which only a CA template allows`;
}

function extKeyUsageWidening(edit: string[], limit: string[] | undefined): string | undefined {
  if (!limit) return undefined; // no extKeyUsage means any purpose: every list narrows it
  const extra = edit.filter((p) => !limit.includes(p));
  if (extra.length === 0) return undefined;
  return `adds ${extra.map(purposeName).join(', ')}; the template allows ${limit.map(purposeName).join(', ')}`;
}

function basicConstraintsWidening(editDer: Buffer, limitDer: Buffer | undefined): string | undefined {
  const edit = decodeBasicConstraints(editDer);
  const limit = limitDer ? decodeBasicConstraints(limitDer) : { ca: false };
  if (!limit.ca) {
    if (edit.ca) return 'sets cA TRUE, which only a CA template allows';
    if (edit.pathLength !== undefined) return 'sets a pathLenConstraint, which only a CA template allows';
    return undefined;
  }
  if (edit.ca && limit.pathLength !== undefined && (edit.pathLength === undefined || edit.pathLength > limit.pathLength)) {
    return `lengthens the path length beyond the template's ${limit.pathLength}`;
  }
  return undefined;
}

function sanWidening(edit: San[], limit: San[] | undefined): string | undefined {
  const key = (s: San) => `${s.type}:${s.type === 'dns' || s.type === 'email' ? s.value.toLowerCase() : s.value}`;
  const allowed = new Set((limit ?? []).map(key));
  const extra = edit.filter((s) => !allowed.has(key(s)));
  if (extra.length === 0) return undefined;
  const names = extra.map((s) => `${s.type}:${s.value}`).join(', ');
  return limit ? `adds ${names}, which the template does not give this request` : `adds ${names}; the template gives this certificate no subjectAltName`;
}

const PURPOSE_NAMES: Record<string, string> = {
  [OID.serverAuth]: 'serverAuth',
  [OID.clientAuth]: 'clientAuth',
  [OID.codeSigning]: 'codeSigning',
  [OID.emailProtection]: 'emailProtection',
  [OID.timeStamping]: 'timeStamping',
  [OID.ocspSigning]: 'ocspSigning',
  [OID.anyExtendedKeyUsage]: 'anyExtendedKeyUsage',
};

function purposeName(oid: string): string {
  return PURPOSE_NAMES[oid] ?? oid;
}
