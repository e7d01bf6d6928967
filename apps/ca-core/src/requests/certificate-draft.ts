import { type ExtensionOrigin, type Name, type PolicyVerifyReplyParsed } from '@signet/contracts';
import { BOUNDED_EXTENSIONS, extensionWidening } from '@signet/x509';

/** An extension on the certificate under construction. */
export interface DraftExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
  origin: ExtensionOrigin;
  disabled: boolean;
}

/** The certificate under construction (AD CS: the certificate properties of a request). */
export interface CertificateDraft {
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  template: string | null;
  extensions: DraftExtension[];
}

export interface CaValidity {
  notBefore: Date;
  notAfter: Date;
}

/** Extensions the CA computes itself; neither policy nor admin may set them. */
export const SERVER_OWNED_OIDS: ReadonlySet<string> = new Set([
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
]);

export class DraftViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DraftViolation';
  }
}

/**
 * What the CA proposes before the policy runs: the requested subject, and
 * the longest validity the CA allows (AD CS ValidityPeriod), cut to the CA
 * certificate's own validity. Admin-set extensions survive a resubmit;
 * policy extensions are recomputed by the policy on every pass.
 */
export function proposeDraft(args: {
  now: Date;
  subject: Name;
  ca: CaValidity;
  maxValidityDays: number;
  backdateSeconds: number;
  adminExtensions?: DraftExtension[];
  template?: string | null;
}): CertificateDraft {
  // Certificates carry whole seconds: round inwards so the draft never leaves the CA's validity.
  const notBefore = new Date(Math.ceil(Math.max(args.now.getTime() - args.backdateSeconds * 1000, args.ca.notBefore.getTime()) / 1000) * 1000);
  const notAfter = new Date(Math.floor(Math.min(args.now.getTime() + args.maxValidityDays * 86_400_000, args.ca.notAfter.getTime()) / 1000) * 1000);
  if (notAfter <= notBefore) {
    throw new DraftViolation('the CA certificate has expired or leaves no validity to issue');
  }
  return {
    subject: args.subject,
    notBefore,
    notAfter,
    template: args.template ?? null,
    extensions: (args.adminExtensions ?? []).map((e) => ({ ...e })),
  };
}

/**
 * Applies a policy verdict's changes under AD CS's invariants: validity may
 * only narrow (never earlier notBefore, never later notAfter) and stays
 * inside the CA certificate; server-owned extensions cannot be set; an admin
 * extension of the same OID takes the policy's place (the admin edited it
 * on purpose), but only where it narrows it: `adminWidening` says where it
 * does not. Throws DraftViolation for a change the policy may not make.
 */
export function applyPolicyChanges(draft: CertificateDraft, changes: PolicyVerifyReplyParsed['changes'], ca: CaValidity): CertificateDraft {
  const next: CertificateDraft = { ...draft, extensions: draft.extensions.map((e) => ({ ...e })) };
  if (changes.subject) next.subject = changes.subject;
  if (changes.template !== undefined) next.template = changes.template;
  if (changes.notBefore) {
    const nb = new Date(changes.notBefore);
    if (nb < draft.notBefore) throw new DraftViolation(`notBefore may not move earlier (${nb.toISOString()} < ${draft.notBefore.toISOString()})`);
    next.notBefore = nb;
  }
  if (changes.notAfter) {
    const na = new Date(changes.notAfter);
    if (na > draft.notAfter) throw new DraftViolation(`notAfter may not move later (${na.toISOString()} > ${draft.notAfter.toISOString()})`);
    next.notAfter = na;
  }
  if (next.notBefore < ca.notBefore || next.notAfter > ca.notAfter) {
    throw new DraftViolation('validity must stay inside the CA certificate');
  }
  if (next.notAfter <= next.notBefore) throw new DraftViolation('notAfter must be after notBefore');

  for (const change of changes.extensions ?? []) {
    if (SERVER_OWNED_OIDS.has(change.oid)) throw new DraftViolation(`extension ${change.oid} is set by the CA itself`);
    const admin = next.extensions.find((e) => e.oid === change.oid && e.origin === 'admin');
    if (admin) continue;
    const existing = next.extensions.find((e) => e.oid === change.oid);
    if (change.value === undefined) {
      if (!change.disabled) throw new DraftViolation(`extension ${change.oid}: a value is required unless it is disabled`);
      if (existing) existing.disabled = true;
      continue;
    }
    const value = Buffer.from(change.value, 'base64');
    if (value.length === 0) throw new DraftViolation(`extension ${change.oid}: empty value`);
    const ext: DraftExtension = { oid: change.oid, critical: change.critical, value, origin: 'policy', disabled: change.disabled };
    if (existing) Object.assign(existing, ext);
    else next.extensions.push(ext);
  }
  return next;
}

/** An administrator's extension that would give the certificate more than the policy's extension of the same OID. */
export interface AdminWidening {
  oid: string;
  /** keyUsage, extKeyUsage, subjectAltName or basicConstraints. */
  name: string;
  problem: string;
}

/**
 * The first admin extension that widens the policy's extension of the same
 * OID in this verdict (`changes`: what the template sets on this pass), or
 * undefined. The policy module should have refused it already; this is
 * ca-core's own check, so a policy module that overlooks admin extensions
 * still cannot turn an officer's edit into a power the template never gave
 * (ADR 0023). Only the bounded extensions are judged; CA powers in any
 * other form are lint's (LINT_FAILED).
 */
export function adminWidening(draft: CertificateDraft, changes: PolicyVerifyReplyParsed['changes']): AdminWidening | undefined {
  for (const e of draft.extensions) {
    if (e.origin !== 'admin' || !BOUNDED_EXTENSIONS[e.oid]) continue;
    const change = changes.extensions?.find((c) => c.oid === e.oid);
    const bound = change?.value !== undefined && !change.disabled ? { critical: change.critical, value: Buffer.from(change.value, 'base64') } : undefined;
    const problem = extensionWidening(e.oid, bound, e);
    if (problem) return { oid: e.oid, name: BOUNDED_EXTENSIONS[e.oid], problem };
  }
  return undefined;
}

/** The extensions that go into the certificate: set by policy or admin, not disabled. */
export function certificateExtensions(draft: CertificateDraft): DraftExtension[] {
  return draft.extensions.filter((e) => !e.disabled && (e.origin === 'policy' || e.origin === 'admin'));
}
