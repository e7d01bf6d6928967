import { BOUNDED_EXTENSIONS, CA_KEY_USAGES, KEY_USAGES, OID, canonicalAttributeType, type KeyUsageName } from '@signet/x509';
import { z } from 'zod';
import { parseDnsName } from '../names/dns';
import { parseCidr } from '../names/ip';
import { EnrollSchema, NamesSchema, type EnrollRule, type NamesRule } from './enrollment.schema';

/**
 * The policy file: AD CS's default policy module settings (RequestDisposition,
 * the EditFlags that matter for security) plus certificate templates, each
 * one a complete certificate profile. Every value the certificate gets comes
 * from here; nothing is defaulted silently at issuance time.
 */

/** Template names are what requesters write in the CertificateTemplate attribute. */
export const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TemplateNameSchema = z.string().regex(TEMPLATE_NAME, 'must be letters, digits, ".", "_" or "-" (at most 128)');

/** Extended key usages by name; anything else is given as a dotted OID. */
export const EKU_BY_NAME = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  codeSigning: OID.codeSigning,
  emailProtection: OID.emailProtection,
  timeStamping: OID.timeStamping,
  ocspSigning: OID.ocspSigning,
} as const;

const ExtKeyUsageSchema = z.string().transform((v, ctx) => {
  if (v in EKU_BY_NAME) return EKU_BY_NAME[v as keyof typeof EKU_BY_NAME];
  if (/^[0-2](\.(0|[1-9][0-9]*))+$/.test(v) && v.length <= 128) return v;
  ctx.addIssue({ code: 'custom', message: `must be one of ${Object.keys(EKU_BY_NAME).join(', ')} or a dotted OID` });
  return z.NEVER;
});

export const KEY_ALGORITHMS = ['rsa', 'ec', 'ed25519', 'ed448'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];
export const EC_CURVES = ['P-256', 'P-384', 'P-521'] as const;

/**
 * One allowed key type. RSA below 2048 bits is refused here, at boot, so no
 * policy file can reintroduce keys that NIST SP 800-131A retired.
 */
const KeyRuleSchema = z.discriminatedUnion('algorithm', [
  z.strictObject({
    algorithm: z.literal('rsa'),
    minBits: z.number().int().min(2048, 'must be ≥ 2048').max(16384, 'must be ≤ 16384'),
    maxBits: z.number().int().min(2048, 'must be ≥ 2048').max(16384, 'must be ≤ 16384').optional(),
  }),
  z.strictObject({ algorithm: z.literal('ec'), curves: z.array(z.enum(EC_CURVES)).min(1) }),
  z.strictObject({ algorithm: z.literal('ed25519') }),
  z.strictObject({ algorithm: z.literal('ed448') }),
]);
export type KeyRule = z.output<typeof KeyRuleSchema>;

/** A subject attribute type written as a short name, alias or OID; stored in its canonical short form (CN, O, E, ...). */
const AttributeTypeSchema = z.string().transform((v, ctx) => {
  const t = canonicalAttributeType(v);
  if (t === undefined) {
    ctx.addIssue({ code: 'custom', message: `unknown attribute type "${v}" (use CN, O, OU, E, C, L, ST, ... or an OID)` });
    return z.NEVER;
  }
  return t;
});

const SubjectRuleSchema = z.discriminatedUnion('mode', [
  /** The CSR's subject, limited to the listed attribute types. */
  z.strictObject({
    mode: z.literal('request'),
    allowed: z.array(AttributeTypeSchema).min(1),
    required: z.array(AttributeTypeSchema).default([]),
  }),
  /** CN only, one of the validated DNS names (the CSR's CN when it is one of them). */
  z.strictObject({ mode: z.literal('cn-from-san') }),
  /** The same subject for everyone (may be empty: the SAN then becomes critical, RFC 5280 4.2.1.6). */
  z.strictObject({
    mode: z.literal('fixed'),
    name: z.array(z.strictObject({ type: AttributeTypeSchema, value: z.string().min(1).max(1024) })).max(32),
  }),
]);
export type SubjectRule = z.output<typeof SubjectRuleSchema>;

function dnsSchema(what: string, opts: { wildcard: boolean; minLabels: number }) {
  return z.string().transform((v, ctx) => {
    const r = parseDnsName(v, opts);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: `${what} "${v}" ${r.reason}` });
      return z.NEVER;
    }
    return r.name;
  });
}
/** An allowed domain: the name itself and everything below it. A bare TLD such as `test` is allowed on purpose (lab CAs). */
const DomainSchema = dnsSchema('domain', { wildcard: false, minLabels: 1 });
const DomainListSchema = z.array(DomainSchema).max(1000);

const CountSchema = {
  /** Fewest names of this type a request must carry. */
  min: z.number().int().min(0).max(100).default(0),
  /** Most names of this type a request may carry. */
  max: z.number().int().min(1).max(100).default(100),
};

const DnsSanRuleSchema = z
  .strictObject({
    domains: DomainListSchema.default([]),
    /** Exact names allowed besides the domains (a wildcard here is allowed as written). */
    names: z.array(dnsSchema('name', { wildcard: true, minLabels: 1 })).max(1000).default([]),
    allowWildcard: z.boolean().default(false),
    ...CountSchema,
  })
  .refine((d) => d.domains.length + d.names.length > 0, { message: 'list at least one domain or name', path: ['domains'] });

const IpSanRuleSchema = z.strictObject({
  ranges: z
    .array(
      z.string().refine((v) => parseCidr(v).ok, { message: 'must be a CIDR range such as 192.0.2.0/24 or 2001:db8::/32' }),
    )
    .min(1)
    .max(1000),
  ...CountSchema,
});

const MailboxSanRuleSchema = z.strictObject({ domains: DomainListSchema.min(1), ...CountSchema });

const UriSanRuleSchema = z.strictObject({
  schemes: z.array(z.string().regex(/^[a-z][a-z0-9+.-]*$/, 'must be a lower-case URI scheme')).min(1),
  domains: DomainListSchema.min(1),
  ...CountSchema,
});

/** Which SAN types a template accepts; a type left out is refused. */
const SanRulesSchema = z.strictObject({
  dns: DnsSanRuleSchema.optional(),
  ip: IpSanRuleSchema.optional(),
  email: MailboxSanRuleSchema.optional(),
  upn: MailboxSanRuleSchema.optional(),
  uri: UriSanRuleSchema.optional(),
});
export type SanRules = z.output<typeof SanRulesSchema>;

/**
 * A key usage bit, optionally only for some key types: RSA keys encrypt
 * (keyEncipherment), EC and EdDSA keys cannot, so one template serving both
 * lists `{usage: keyEncipherment, keys: [rsa]}`.
 */
const KeyUsageEntrySchema = z
  .union([
    z.enum(KEY_USAGES),
    z.strictObject({ usage: z.enum(KEY_USAGES), keys: z.array(z.enum(KEY_ALGORITHMS)).min(1).optional() }),
  ])
  .transform((e): { usage: KeyUsageName; keys?: KeyAlgorithm[] } => (typeof e === 'string' ? { usage: e } : e));

/** Usages a key type can never perform; ca-core's lint refuses them, so we refuse them at boot. */
export const INCOMPATIBLE_USAGES: Record<KeyAlgorithm, readonly KeyUsageName[]> = {
  rsa: ['keyAgreement', 'encipherOnly', 'decipherOnly'],
  ec: ['keyEncipherment', 'dataEncipherment'],
  ed25519: ['keyEncipherment', 'dataEncipherment', 'keyAgreement', 'encipherOnly', 'decipherOnly'],
  ed448: ['keyEncipherment', 'dataEncipherment', 'keyAgreement', 'encipherOnly', 'decipherOnly'],
};

/**
 * Extensions an administrator may never add under one of this module's
 * templates, whatever `adminExtensions` lists: the ones the template bounds
 * itself (narrowed, never widened: ADR 0023), the key identifiers ca-core
 * computes, and the ones RFC 5280 reserves for CA certificates.
 */
const NOT_ADMIN_EXTENSIONS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(BOUNDED_EXTENSIONS).map(([oid, name]) => [oid, `${name} is bounded by the template's own ${name}`])),
  [OID.subjectKeyIdentifier]: 'subjectKeyIdentifier is set by the CA',
  [OID.authorityKeyIdentifier]: 'authorityKeyIdentifier is set by the CA',
  [OID.nameConstraints]: 'nameConstraints belongs in CA certificates only (RFC 5280 4.2.1.10)',
  [OID.policyMappings]: 'policyMappings belongs in CA certificates only (RFC 5280 4.2.1.5)',
  [OID.policyConstraints]: 'policyConstraints belongs in CA certificates only (RFC 5280 4.2.1.11)',
  [OID.inhibitAnyPolicy]: 'inhibitAnyPolicy belongs in CA certificates only (RFC 5280 4.2.1.14)',
};

const OidStringSchema = z.string().regex(/^[0-2](\.(0|[1-9][0-9]*))+$/, 'must be a dotted OID').max(128);

const TemplateSchema = z
  .strictObject({
    description: z.string().max(1024).default(''),
    /** Who may enroll (AD CS template ACL); nobody unless listed. */
    enroll: EnrollSchema,
    /** Where the certificate's names come from: the identity, or the request (proven or not). */
    names: NamesSchema,
    /** AD CS CT_FLAG_PEND_ALL_REQUESTS: new requests wait for a certificate manager. */
    requiresApproval: z.boolean().default(false),
    keys: z.array(KeyRuleSchema).min(1),
    subject: SubjectRuleSchema,
    san: SanRulesSchema.default({}),
    validityDays: z.number().int().min(1, 'must be ≥ 1').max(3650, 'must be ≤ 3650'),
    /** AD CS EDITF_ATTRIBUTEENDDATE: honour the ValidityPeriod/ValidityPeriodUnits attributes, up to maxValidityDays. */
    allowValidityAttribute: z.boolean().default(false),
    maxValidityDays: z.number().int().min(1, 'must be ≥ 1').max(3650, 'must be ≤ 3650').optional(),
    keyUsage: z.array(KeyUsageEntrySchema).max(9).default([]),
    extKeyUsage: z.array(ExtKeyUsageSchema).max(32).default([]),
    /** End-entity certificates only: every template of this module is a leaf template, never a CA template (ADR 0023). */
    basicConstraints: z.strictObject({ ca: z.literal(false), critical: z.boolean().default(true) }).optional(),
    /**
     * Further extensions (by OID) a certificate manager may add to a pending
     * request under this template (AD CS SetCertificateExtension). Any other
     * OID an administrator sets denies the request; keyUsage, extKeyUsage,
     * subjectAltName and basicConstraints are bounded by the template instead.
     */
    adminExtensions: z.array(OidStringSchema).max(32).default([]),
  })
  .superRefine((t, ctx) => {
    checkEnrollment(t, ctx);
    if (t.subject.mode === 'cn-from-san' && !t.san.dns) {
      ctx.addIssue({ code: 'custom', path: ['subject', 'mode'], message: 'cn-from-san needs san.dns' });
    }
    if (t.subject.mode === 'request') {
      for (const [i, r] of t.subject.required.entries()) {
        if (!t.subject.allowed.includes(r)) {
          ctx.addIssue({ code: 'custom', path: ['subject', 'required', i], message: `${r} is required but not in subject.allowed` });
        }
      }
    }
    if (t.allowValidityAttribute && t.maxValidityDays === undefined) {
      ctx.addIssue({ code: 'custom', path: ['maxValidityDays'], message: 'is required when allowValidityAttribute is true' });
    }
    if (t.maxValidityDays !== undefined && t.maxValidityDays < t.validityDays) {
      ctx.addIssue({ code: 'custom', path: ['maxValidityDays'], message: `must be ≥ validityDays (${t.validityDays})` });
    }
    for (const [i, k] of t.keys.entries()) {
      if (k.algorithm === 'rsa' && k.maxBits !== undefined && k.maxBits < k.minBits) {
        ctx.addIssue({ code: 'custom', path: ['keys', i, 'maxBits'], message: `must be ≥ minBits (${k.minBits})` });
      }
    }
    const algorithms = t.keys.map((k) => k.algorithm);
    for (const [i, e] of t.keyUsage.entries()) {
      if (CA_KEY_USAGES.includes(e.usage)) {
        ctx.addIssue({ code: 'custom', path: ['keyUsage', i], message: `${e.usage} is for CA certificates; this policy module's templates are leaf templates` });
      }
    }
    for (const [i, oid] of t.adminExtensions.entries()) {
      if (NOT_ADMIN_EXTENSIONS[oid]) ctx.addIssue({ code: 'custom', path: ['adminExtensions', i], message: `${oid}: ${NOT_ADMIN_EXTENSIONS[oid]}` });
    }
    for (const [i, e] of t.keyUsage.entries()) {
      for (const alg of e.keys ?? algorithms) {
        if (algorithms.includes(alg) && INCOMPATIBLE_USAGES[alg].includes(e.usage)) {
          ctx.addIssue({
            code: 'custom',
            path: ['keyUsage', i],
            message: `${e.usage} is invalid for ${alg} keys; limit it with {usage: ${e.usage}, keys: [...]}`,
          });
        }
      }
    }
    if (t.extKeyUsage.includes(OID.serverAuth) && !t.san.dns && !t.san.ip) {
      ctx.addIssue({ code: 'custom', path: ['san'], message: 'serverAuth certificates need DNS or IP names: configure san.dns or san.ip' });
    }
    for (const [type, rule] of Object.entries(t.san)) {
      if (rule && rule.min > rule.max) ctx.addIssue({ code: 'custom', path: ['san', type, 'min'], message: `must be ≤ max (${rule.max})` });
    }
  });
export type TemplateConfig = z.output<typeof TemplateSchema>;

/** Enrollment settings that cannot work together with the rest of the template. */
function checkEnrollment(t: { san: SanRules; enroll: EnrollRule; names: NamesRule }, ctx: z.core.$RefinementCtx): void {
  const sanTypes = Object.keys(t.san);
  if (t.names.from === 'identity' && sanTypes.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['names', 'from'], message: 'identity builds the SANs from the identity\'s proven names, but san lists no name type to build' });
  }
  if (t.enroll.anonymous && t.names.from === 'identity') {
    ctx.addIssue({ code: 'custom', path: ['enroll', 'anonymous'], message: 'an anonymous requester proves no names, and names.from: identity builds the names from what the identity proved' });
  }
  if (t.enroll.anonymous === 'issue' && t.names.from === 'request' && t.names.unproven !== 'allow' && sanTypes.length > 0) {
    const does = t.names.unproven === 'deny' ? 'denies' : 'holds';
    ctx.addIssue({
      code: 'custom',
      path: ['enroll', 'anonymous'],
      message: `issue cannot happen: an anonymous requester proves no names, so names.unproven: ${t.names.unproven} ${does} every name it asks for (use pend)`,
    });
  }
}

export const DISPOSITION_MODES = ['template', 'pend-all'] as const;

export const PolicyFileSchema = z
  .strictObject({
    /**
     * AD CS RequestDisposition. `template` = enterprise default (issue, or pend
     * when the template requires approval); `pend-all` = standalone default
     * (REQDISP_PENDINGFIRST: every new request pends, a resubmit issues).
     */
    dispositionMode: z.enum(DISPOSITION_MODES).default('template'),
    /** REQDISP_USEREQUESTATTRIBUTE, limited to making things stricter. */
    honourDispositionAttribute: z.boolean().default(false),
    /** EDITF_ATTRIBUTESUBJECTALTNAME2: honour the `san` request attribute. */
    allowSanAttribute: z.boolean().default(false),
    /** Template for requests without a CertificateTemplate attribute; none means such requests are denied. */
    defaultTemplate: TemplateNameSchema.optional(),
    templates: z.record(TemplateNameSchema, TemplateSchema),
  })
  .superRefine((p, ctx) => {
    const names = Object.keys(p.templates);
    if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['templates'], message: 'define at least one template' });
    if (names.length > 256) ctx.addIssue({ code: 'custom', path: ['templates'], message: 'must have at most 256 templates' });
    // Requesters' template names match case-insensitively (as in AD CS), so two spellings would be ambiguous.
    const seen = new Map<string, string>();
    for (const n of names) {
      const other = seen.get(n.toLowerCase());
      if (other) ctx.addIssue({ code: 'custom', path: ['templates', n], message: `differs from template ${other} only in case` });
      seen.set(n.toLowerCase(), n);
    }
    if (p.defaultTemplate !== undefined && !seen.has(p.defaultTemplate.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['defaultTemplate'], message: `names no template (have: ${names.join(', ')})` });
    }
  });

export type PolicyConfig = z.output<typeof PolicyFileSchema>;
export type PolicyFileInput = z.input<typeof PolicyFileSchema>;
