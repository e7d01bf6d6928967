import { type ExtensionChange, type Name, type PolicyVerifyRequest, type San } from '@signet/contracts';
import { type PolicyConfig, type TemplateConfig } from '../config/policy-file.schema';

/**
 * The rule vocabulary, after step-ca's sign options: validators only look
 * and report denials, modifiers only shape the certificate draft, and the
 * disposition decision runs last. Every unit is a pure function of the
 * request snapshot and the policy, so each is tested with a table.
 */

/** Why a request is refused: which rule, which field, which value (step-ca's NamePolicyError, generalised). */
export interface Denial {
  /** Stable rule id, e.g. `san.dns`; ca-core stores it as decidedBy.rule. */
  rule: string;
  /** What was looked at: an attribute name, a SAN type, a key property. */
  field: string;
  /** The offending value as submitted (never key material). */
  value: string;
  /** For people: what was wrong and what the template allows. */
  message: string;
}

/** A name the requester asked for, and where it came from. */
export interface RequestedSan extends San {
  /**
   * `csr` = the extensionRequest; `attribute` = the `san` request attribute
   * (only when allowSanAttribute); `identity` = a name the identity proved
   * (templates with names.from: identity).
   */
  source: 'csr' | 'attribute' | 'identity';
}

/** Everything a rule may read. Built once per verify call by the engine. */
export interface RuleContext {
  request: PolicyVerifyRequest;
  policy: PolicyConfig;
  /** The template's name as written in the policy file. */
  templateName: string;
  template: TemplateConfig;
  /**
   * Names asked for, not yet validated: under names.from request the CSR's
   * first, then the attribute's; under names.from identity the identity's
   * proven names of the types the template accepts.
   */
  sans: RequestedSan[];
  /** The names the request itself asked for (the CSR's, then the attribute's), whichever the source. */
  requested: RequestedSan[];
  /** The subject asked for: the CSR's, or under names.from identity the one built from the identity. */
  subject: Name;
}

export type Validator = (ctx: RuleContext) => Denial[];

/**
 * Why a request that breaks no rule still waits for a certificate manager
 * (an anonymous requester, a name nobody proved): the same shape as a
 * denial, and satisfied by the manager's resubmit.
 */
export type Hold = Denial;
export type HoldCheck = (ctx: RuleContext) => Hold[];

/** The certificate as the policy wants it; turned into the reply's `changes`. */
export interface CertificateDraft {
  subject?: Name;
  notAfter?: string;
  template?: string;
  /** Keyed by OID: a later modifier for the same OID replaces an earlier one. */
  extensions: Map<string, ExtensionChange>;
}

export type Modifier = (ctx: RuleContext, draft: CertificateDraft) => void;

export function denial(rule: string, field: string, value: string, message: string): Denial {
  // Contract limits: the value is capped so a hostile 4 kB name cannot break the reply.
  return { rule, field, value: value.length > 1024 ? `${value.slice(0, 1021)}...` : value, message };
}
