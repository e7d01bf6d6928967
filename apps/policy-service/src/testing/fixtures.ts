import { ANONYMOUS_IDENTITY, requesterNameOf, type Identity, type PolicyVerifyRequest, type PublicKeyInfo, type San } from '@signet/contracts';
import { resolve } from 'node:path';
import { loadPolicyFile } from '../config/policy-file';
import { PolicyFileSchema, type PolicyConfig, type PolicyFileInput } from '../config/policy-file.schema';
import { nameSource } from '../rules/names';
import { type RuleContext } from '../rules/types';

/** Test-only builders: hand-written snapshots as ca-core would send them. */

export const SHIPPED_POLICY_PATH = resolve(__dirname, '../../../../config/policy.yaml');

export function shippedPolicy(): PolicyConfig {
  return loadPolicyFile(SHIPPED_POLICY_PATH);
}

/** A policy from a literal, through the real schema (so defaults apply as in production). */
export function policyFrom(input: PolicyFileInput): PolicyConfig {
  return PolicyFileSchema.parse(input);
}

/**
 * Enrollment for rule tests that are not about it: anyone, anonymous
 * included, issued at once with the request's names (proven or not).
 */
export const ANYONE = { enroll: { anonymous: 'issue' }, names: { from: 'request', unproven: 'allow' } } as const;

/**
 * A policy with one template taking its names from the request (unproven
 * allowed), for rule tests about a requested subject or SANs under a
 * template that ships building them from the identity.
 */
export function withNamesFromRequest(policy: PolicyConfig, template: string): PolicyConfig {
  const copy = structuredClone(policy);
  copy.templates[template].names = { from: 'request', unproven: 'allow' };
  return copy;
}

export const KEYS = {
  rsa2048: { algorithm: 'rsa', bits: 2048, spkiSha256: 'a'.repeat(64) },
  rsa1024: { algorithm: 'rsa', bits: 1024, spkiSha256: 'b'.repeat(64) },
  rsa3072: { algorithm: 'rsa', bits: 3072, spkiSha256: 'c'.repeat(64) },
  p256: { algorithm: 'ec', bits: 256, curve: 'P-256', spkiSha256: 'd'.repeat(64) },
  p384: { algorithm: 'ec', bits: 384, curve: 'P-384', spkiSha256: 'd'.repeat(64) },
  p521: { algorithm: 'ec', bits: 521, curve: 'P-521', spkiSha256: 'e'.repeat(64) },
  ed25519: { algorithm: 'ed25519', bits: 256, spkiSha256: 'f'.repeat(64) },
} satisfies Record<string, PublicKeyInfo>;

export const NOT_BEFORE = '2026-01-01T00:00:00.000Z';
/** The CA's maximum: far beyond any template's validity. */
export const CA_NOT_AFTER = '2036-01-01T00:00:00.000Z';

export interface RequestOptions {
  newRequest?: boolean;
  attributes?: Record<string, string>;
  subject?: { type: string; value: string }[];
  sans?: San[];
  key?: PublicKeyInfo;
  certificate?: Partial<PolicyVerifyRequest['certificate']>;
  identity?: Identity;
}

export function verifyRequest(o: RequestOptions = {}): PolicyVerifyRequest {
  const attributes = o.attributes ?? { certificatetemplate: 'WebServer' };
  const subject = o.subject ?? [{ type: 'CN', value: 'www.example.com' }];
  return {
    requestId: 42,
    newRequest: o.newRequest ?? true,
    request: {
      requestType: 'pkcs10',
      submittedWhen: NOT_BEFORE,
      requesterName: requesterNameOf(o.identity ?? ANONYMOUS_IDENTITY),
      attributesRaw: Object.entries(attributes)
        .map(([k, v]) => `${k}:${v}`)
        .join('\n'),
      attributes,
      subject,
      subjectAltNames: o.sans ?? [{ type: 'dns', value: 'www.example.com' }],
      publicKey: o.key ?? KEYS.rsa2048,
      extensions: [],
      signatureAlgorithm: '1.2.840.113549.1.1.11',
    },
    identity: o.identity ?? ANONYMOUS_IDENTITY,
    certificate: {
      subject,
      notBefore: NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
      extensions: [],
      template: null,
      ...o.certificate,
    },
    ca: {
      name: 'signet',
      config: 'localhost\\signet',
      subject: [{ type: 'CN', value: 'Signet Test CA' }],
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: CA_NOT_AFTER,
      keyAlgorithm: 'ec',
    },
  };
}

/** A rule context for one template of a policy, with the request's SANs as the CSR's (the identity's under names.from identity). */
export function ruleContext(policy: PolicyConfig, templateName: string, o: RequestOptions = {}): RuleContext {
  const request = verifyRequest({ ...o, attributes: o.attributes ?? { certificatetemplate: templateName } });
  const requested = request.request.subjectAltNames.map((s) => ({ ...s, source: 'csr' as const }));
  const template = policy.templates[templateName];
  const source = nameSource(request, template, templateName, requested);
  return { request, policy, templateName, template, sans: source.sans, requested, subject: source.subject };
}
