import { requesterNameOf, type Identity, type San, type SubmitRequest } from '@signet/contracts';

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
 * that says who is asking. Today ca-core takes the requester as written
 * (`service:intermediary`); the front-door signature (ADR 0026) adds the
 * identity's assertion here and nowhere else.
 * TODO: sign `serviceIdentity(names)` with SIGNET_FRONT_DOOR_KEY and send it as
 * `identityAssertion` once the identity pipeline lands.
 */
export function selfEnrollmentSubmit(csrPem: string, names: readonly San[], template: string): SubmitRequest {
  const identity = serviceIdentity(names);
  return { request: csrPem, format: 'pkcs10', attributes: `CertificateTemplate:${template}`, requester: requesterNameOf(identity) };
}
