import { IDENTITY_METHODS } from '@signet/contracts';
import { z } from 'zod';

/**
 * Per template: who may enroll (AD CS's template ACL, the Enroll right) and
 * where the certificate's names come from (AD CS "build from this Active
 * Directory information" versus "supply in the request"). ADR 0026, 0030.
 */

/** Methods a template may list; `anonymous` is not one of them but its own key, so opening a template to everyone is spelt out. */
export const ENROLL_METHODS = IDENTITY_METHODS.filter((m) => m !== 'anonymous');
export type EnrollMethod = (typeof ENROLL_METHODS)[number];

const MethodSchema = z.string().transform((v, ctx) => {
  if ((ENROLL_METHODS as readonly string[]).includes(v)) return v as EnrollMethod;
  ctx.addIssue({
    code: 'custom',
    message:
      v === 'anonymous'
        ? 'anonymous is not listed among methods: write enroll.anonymous: pend (or issue) to let unauthenticated requesters enroll'
        : `unknown method "${v}" (use ${ENROLL_METHODS.join(', ')})`,
  });
  return z.NEVER;
});

/**
 * A principal as ca-core names the requester (`requesterNameOf`):
 * `<method>:<principal>`, e.g. `bus:signet-intermediary`,
 * `service:intermediary`, `enrollment-secret:build-01`.
 */
const PrincipalSchema = z
  .string()
  .max(512)
  .transform((v, ctx) => {
    const colon = v.indexOf(':');
    const method = colon > 0 ? v.slice(0, colon) : '';
    if (!(ENROLL_METHODS as readonly string[]).includes(method) || colon === v.length - 1) {
      ctx.addIssue({
        code: 'custom',
        message: `"${v}" must be <method>:<principal> with a method among ${ENROLL_METHODS.join(', ')} (as ca-core shows the requester)`,
      });
      return z.NEVER;
    }
    return v;
  });

/** What an anonymous requester gets when a template admits one: held for a certificate manager (the default), or issued at once. */
export const ANONYMOUS_MODES = ['pend', 'issue'] as const;

export const EnrollSchema = z
  .strictObject({
    /** Any identity established by one of these methods. */
    methods: z.array(MethodSchema).max(16).default([]),
    /** Exactly these requesters, written `<method>:<principal>`. */
    principals: z.array(PrincipalSchema).max(1000).default([]),
    /** Any identity whose credential carries one of these groups. */
    groups: z.array(z.string().min(1).max(256)).max(1000).default([]),
    /** Unauthenticated requesters: `pend` (each request waits for a certificate manager) or `issue`; absent = refused. */
    anonymous: z.enum(ANONYMOUS_MODES).optional(),
  })
  .refine((e) => e.methods.length + e.principals.length + e.groups.length > 0 || e.anonymous !== undefined, {
    message: 'admits nobody: list methods, principals or groups, or set anonymous (a template nobody may enroll in belongs out of the file)',
  });
export type EnrollRule = z.output<typeof EnrollSchema>;

/** What happens to a requested name the identity did not prove (names.from: request). */
export const UNPROVEN_MODES = ['deny', 'pend', 'allow'] as const;
export type UnprovenMode = (typeof UNPROVEN_MODES)[number];

export const NamesSchema = z.discriminatedUnion('from', [
  /**
   * The subject and SANs are built from the identity (its proven names and
   * vouched subject); the CSR's names are not used. With requireMatch, a
   * CSR naming anything the certificate would not carry is denied instead.
   */
  z.strictObject({ from: z.literal('identity'), requireMatch: z.boolean().default(false) }),
  /**
   * The CSR's names (AD CS "supply in the request"), each of which must be
   * among the identity's proven names; an unproven one is denied, held for
   * a certificate manager, or (`allow`, for names nobody can own, such as
   * localhost) accepted as it is.
   */
  z.strictObject({ from: z.literal('request'), unproven: z.enum(UNPROVEN_MODES) }),
]);
export type NamesRule = z.output<typeof NamesSchema>;
