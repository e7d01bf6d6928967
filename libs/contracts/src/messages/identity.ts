import { z } from 'zod';
import { lineText } from '../text';
import { LIMITS, SanTypeSchema } from './common';

/**
 * Who is asking, as a front door established it (ADR 0026): never what a
 * client claimed. The intermediary (and ACME, EST, SCEP) build one per
 * request from a credential they checked; a bus submitter's comes from the
 * subject the broker let it publish on; everything else is anonymous.
 * `service` is a front door asking for its own certificate (the
 * intermediary's TLS certificate): its principal is the signing service.
 */
export const IDENTITY_METHODS = ['tls-client-certificate', 'enrollment-token', 'oidc', 'enrollment-secret', 'bus', 'acme-account', 'service', 'anonymous'] as const;
export const IdentityMethodSchema = z.enum(IDENTITY_METHODS);
export type IdentityMethod = z.infer<typeof IdentityMethodSchema>;

/** A name the credential proved a right to, typed as a SAN is. */
export const ProvenNameSchema = z.object({ type: SanTypeSchema, value: lineText(z.string().min(1).max(1024)) }).strict();
export type ProvenName = z.infer<typeof ProvenNameSchema>;

export const IdentitySchema = z
  .object({
    method: IdentityMethodSchema,
    /**
     * Stable within the method: the certificate's issuer-serial, the token's
     * `sub`, the OIDC `iss`+`sub`, the secret's id, the NATS user, the ACME
     * account URL; `anonymous` for anonymous.
     */
    principal: lineText(z.string().min(1).max(LIMITS.requesterChars)),
    /** What the credential proved; empty for anonymous. */
    names: z.array(ProvenNameSchema).max(LIMITS.sanCount).default([]),
    /** From the credential (OIDC `groups`, a token's or secret's bound groups). */
    groups: z.array(lineText(z.string().min(1).max(256))).max(64).default([]),
    /** Set when the credential is bound to one template (enrollment tokens and secrets). */
    template: lineText(z.string().min(1).max(128)).optional(),
    /**
     * Subject attributes the credential vouches for (e.g. an OIDC `name`, a
     * token's subject), for templates that build the subject from the
     * identity: `[{type:'CN', value:'Alice'}]`.
     */
    subject: z.array(z.object({ type: lineText(z.string().min(1).max(16)), value: lineText(z.string().min(1).max(1024)) }).strict()).max(LIMITS.rdnCount).optional(),
    /**
     * Set for a credential that may be used once (a token's `jti`, a
     * secret's id): ca-core records it in the submit's transaction and
     * refuses a second request that carries it.
     */
    oneTime: lineText(z.string().min(1).max(256)).optional(),
    /** What an auditor needs to find the credential again (issuer, serial, jti, key id); never the credential itself. */
    evidence: z.record(lineText(z.string().min(1).max(64)), lineText(z.string().max(1024))).default({}),
  })
  .strict()
  .meta({ id: 'Identity', description: 'Who is asking, as a front door proved it (ADR 0026)' });
export type Identity = z.output<typeof IdentitySchema>;
export type IdentityInput = z.input<typeof IdentitySchema>;

export const ANONYMOUS_IDENTITY: Identity = Object.freeze({ method: 'anonymous', principal: 'anonymous', names: [], groups: [], evidence: {} }) as Identity;

/** The AD CS RequesterName ca-core stores and shows: `<method>:<principal>`, or `anonymous`. */
export function requesterNameOf(identity: Pick<Identity, 'method' | 'principal'>): string {
  return identity.method === 'anonymous' ? 'anonymous' : `${identity.method}:${identity.principal}`;
}
