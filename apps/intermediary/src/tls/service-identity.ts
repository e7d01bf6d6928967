import { requesterNameOf, type Identity, type San, type SubmitRequest } from '@signet/contracts';
import { type FrontDoorSigner } from '../auth/front-door-signer';

/** The intermediary's principal when it asks for its own TLS certificate (method `service`, ADR 0026). */
export const SERVICE_PRINCIPAL = 'intermediary';
/** Its AD CS RequesterName: `service:intermediary`. */
export const SERVICE_REQUESTER = requesterNameOf({ method: 'service', principal: SERVICE_PRINCIPAL });

/**
 * Who asks for the intermediary's own TLS certificate: the service itself,
 * for the names it is configured to serve (ADR 0029).
 */
export function serviceIdentity(names: readonly San[]): Identity {
  return { method: 'service', principal: SERVICE_PRINCIPAL, names: names.map((n) => ({ type: n.type, value: n.value })), groups: [], evidence: {} };
}

/**
 * The submit message for the intermediary's own certificate: the one place
 * that says who is asking. The identity is signed with the front-door key
 * (ADR 0026); ca-core accepts method `service` from a front door only for
 * the front door itself.
 */
export async function selfEnrollmentSubmit(signer: FrontDoorSigner, ca: string, csrPem: string, names: readonly San[], template: string): Promise<SubmitRequest> {
  const msg = { request: csrPem, format: 'pkcs10' as const, attributes: `CertificateTemplate:${template}` };
  return { ...msg, identityAssertion: await signer.submit(ca, serviceIdentity(names), msg) };
}
