import { type AnswerSpec, type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { EST_LABEL } from './est.config';
import { CERTS_ONLY_MEDIA_TYPE, CSRATTRS_MEDIA_TYPE, PKCS10_MEDIA_TYPE } from './est-encoding';

/*
 * EST's routes (est.controller.ts, RFC 7030 §3.2.2), each with and without a
 * label. Their answers are EST's, not the API's: base64 bodies, and errors
 * as text/plain `CODE: message`, never JSON.
 */

const TEXT = 'text/plain';
const base64 = (mediaType: string, description: string) => z.string().meta({ description, contentMediaType: mediaType, contentEncoding: 'base64' });
const text = (description: string): AnswerSpec => ({ description, content: { [TEXT]: z.string().meta({ description: '`CODE: message`' }) } });
const LabelSchema = z.object({ label: z.string().regex(EST_LABEL).meta({ description: 'An operator-mapped label (SIGNET_EST_LABELS) selecting a template' }) });

const certsOnly = (description: string): AnswerSpec => ({ description, content: { [CERTS_ONLY_MEDIA_TYPE]: base64(CERTS_ONLY_MEDIA_TYPE, 'base64 (one line) of a DER certs-only PKCS#7') } });
const enrollErrors: Record<string, AnswerSpec> = {
  '400': text('REQUEST_DENIED (the policy denied it: the text names the rule), MALFORMED_REQUEST (not base64, not a PKCS#10), BAD_SIGNATURE'),
  '401': text('No credential (EST always authenticates: `WWW-Authenticate: Basic`), a credential that does not hold, or a challengePassword that is not this TLS session\'s channel binding (RFC 7030 §3.5)'),
  '403': text('simplereenroll without the certificate being renewed, or a request whose subject or subjectAltName is not that certificate\'s'),
  '404': text('An unknown label, or plain http (EST is served over HTTPS only)'),
  '413': text('A body over the size limit'),
  '415': text('Content-Type is not application/pkcs10'),
  '429': text('Too many refused credentials from this address (Retry-After)'),
  '500': text('REQUEST_FAILED at the CA, or INTERNAL'),
  '503': text('CA_UNAVAILABLE or POLICY_UNAVAILABLE (Retry-After)'),
};
const csrBody = { required: true, content: { [PKCS10_MEDIA_TYPE]: base64(PKCS10_MEDIA_TYPE, 'base64 of the DER PKCS#10, line breaks allowed') } };

function both(spec: Omit<RouteSpec, 'path' | 'operationId' | 'params'> & { op: string; id: string }): RouteSpec[] {
  const { op, id, ...rest } = spec;
  return [
    { ...rest, path: `/.well-known/est/${op}`, operationId: `est${id}` },
    { ...rest, path: `/.well-known/est/{label}/${op}`, operationId: `est${id}Labeled`, params: LabelSchema },
  ];
}

const enroll = (op: string, id: string, summary: string, description: string): RouteSpec[] =>
  both({
    op,
    id,
    method: 'post',
    summary,
    description,
    tags: ['est'],
    body: csrBody,
    responses: {
      '200': certsOnly('Issued: the certificate, alone, certs-only'),
      '202': { ...text('Pending: an officer decides; send the same request again after Retry-After seconds'), headers: { 'Retry-After': { description: 'Seconds (SIGNET_EST_RETRY_AFTER_SECONDS)', schema: z.number().int(), required: true } } },
      ...enrollErrors,
    },
  });

export const EST_ROUTES: RouteSpec[] = [
  ...both({
    op: 'cacerts',
    id: 'CaCerts',
    method: 'get',
    summary: 'EST cacerts (RFC 7030 §4.1): the CA certificate and its chain',
    tags: ['est'],
    responses: { '200': certsOnly('The default CA certificate and the chain above it'), '404': text('An unknown label, or plain http'), '503': text('CA_UNAVAILABLE') },
  }),
  ...both({
    op: 'csrattrs',
    id: 'CsrAttrs',
    method: 'get',
    summary: 'EST csrattrs (RFC 7030 §4.5): asks for the channel binding in challengePassword',
    tags: ['est'],
    responses: { '200': { description: 'CsrAttrs', content: { [CSRATTRS_MEDIA_TYPE]: base64(CSRATTRS_MEDIA_TYPE, 'base64 of the DER CsrAttrs') } }, '404': text('An unknown label, or plain http') },
  }),
  ...enroll('simpleenroll', 'SimpleEnroll', 'EST simpleenroll (RFC 7030 §4.2.1)', 'Authenticated by a TLS client certificate of this CA or HTTP Basic with an enrollment secret. A retry of a pending request (same CSR, same credential) gets its result.'),
  ...enroll('simplereenroll', 'SimpleReenroll', 'EST simplereenroll (RFC 7030 §4.2.2)', 'Authenticated by the TLS client certificate being renewed; the request must carry its subject and subjectAltName.'),
  ...both({
    op: 'serverkeygen',
    id: 'ServerKeygen',
    method: 'post',
    summary: 'EST serverkeygen (RFC 7030 §4.4): a key made for the client, and its certificate',
    description: 'The key is never stored or logged; a request that does not issue at once loses it (409).',
    tags: ['est'],
    body: csrBody,
    responses: {
      '200': { description: 'multipart/mixed: application/pkcs8 (the key, base64) and the certs-only PKCS#7 (base64)', content: { 'multipart/mixed': z.string() } },
      ...enrollErrors,
      '409': text('The request waits for approval: the key is gone; use a template that issues at once'),
    },
  }),
];
