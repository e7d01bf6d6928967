import { ANONYMOUS_IDENTITY, requesterNameOf, type CaInfo, type Identity, type PolicyVerifyRequest } from '@signet/contracts';
import { type ParsedCsr } from '@signet/x509';
import { type CertificateDraft, type DraftExtension } from './certificate-draft';
import { type RequestRow } from './request.store';

const b64 = (b: Buffer) => b.toString('base64');

/**
 * The identity a stored request was submitted under, as ca-core verified
 * it (ADR 0026). A row from before identities were recorded carries only a
 * requester name a bus submitter wrote, which nobody verified: anonymous.
 */
export function identityOf(row: Pick<RequestRow, 'identity'>): Identity {
  return row.identity ?? ANONYMOUS_IDENTITY;
}

/**
 * The one message ICertPolicy::VerifyRequest gets: everything a policy
 * module would have read through ICertServerPolicy, read up front.
 */
export function buildVerifyRequest(args: {
  row: RequestRow;
  csr: ParsedCsr;
  attributes: Array<{ name: string; value: string }>;
  requestExtensions: DraftExtension[];
  draft: CertificateDraft;
  ca: CaInfo;
  newRequest: boolean;
}): PolicyVerifyRequest {
  const { row, csr, draft, ca } = args;
  return {
    requestId: row.id,
    newRequest: args.newRequest,
    request: {
      requestType: 'pkcs10',
      submittedWhen: row.submittedAt.toISOString(),
      // The verified identity's, so a row from before shows the policy no name nobody verified.
      requesterName: requesterNameOf(identityOf(row)),
      attributesRaw: row.attributesRaw,
      attributes: Object.fromEntries(args.attributes.map((a) => [a.name, a.value])),
      subject: csr.subject,
      subjectAltNames: csr.subjectAltNames,
      publicKey: csr.publicKey,
      extensions: args.requestExtensions.map((e) => ({ oid: e.oid, critical: e.critical, value: b64(e.value), origin: e.origin, disabled: e.disabled })),
      signatureAlgorithm: csr.signatureAlgorithm,
    },
    identity: identityOf(row),
    certificate: {
      subject: draft.subject,
      notBefore: draft.notBefore.toISOString(),
      notAfter: draft.notAfter.toISOString(),
      extensions: draft.extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: b64(e.value), origin: e.origin, disabled: e.disabled })),
      template: draft.template,
    },
    ca: { name: ca.name, config: ca.config, subject: ca.subject, notBefore: ca.notBefore, notAfter: ca.notAfter, keyAlgorithm: ca.keyAlgorithm },
  };
}
