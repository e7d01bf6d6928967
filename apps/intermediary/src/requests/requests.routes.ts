import { RequestIdSchema, RetrievalSecretSchema } from '@signet/contracts';
import { ErrorBodySchema, HttpRequestResultSchema, RETRY_AFTER_SECONDS, type AnswerSpec, type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { parseRequestId } from './outcome';
import { CaQuerySchema } from '../http/input';
import { RetrieveHeadersSchema } from './retrieval-secret';
import { JSON_MEDIA_TYPE, PKCS10_MEDIA_TYPE, SubmitBodySchema, SubmitHeadersSchema, SubmitQuerySchema } from './submit-input';

/** `{id}` of /api/v1/requests/{id}: a positive integer that JSON numbers carry exactly. */
export const RequestIdPathSchema = z.string().transform(parseRequestId).pipe(RequestIdSchema.meta({ description: 'Request id from submit' }));

/** GET /api/v1/requests/{id}?ca= */
export const RetrieveQuerySchema = CaQuerySchema;

/** What submit answers: the request's result and, once, the secret that reads it back. */
export const HttpSubmitResultSchema = HttpRequestResultSchema.extend({ retrievalSecret: RetrievalSecretSchema }).meta({
  id: 'SubmitResult',
  description: 'A request and its disposition (with the certificate when issued), and the retrieval secret that reads it back',
});

const noStore = { 'Cache-Control': { description: '`no-store`: the answer is for this client only', schema: z.literal('no-store') } };
const locationHeader = {
  ...noStore,
  Location: { description: 'Where to poll the request: `/api/v1/requests/{id}?ca={ca}` (send the retrieval secret in the `Signet-Retrieval-Secret` header).', schema: z.string() },
};
const result = (disposition: string, description: string): AnswerSpec => ({
  description,
  headers: locationHeader,
  content: { [JSON_MEDIA_TYPE]: z.intersection(HttpSubmitResultSchema, z.looseObject({ disposition: z.literal(disposition) })) },
});
/** Denied and failed answer in the error shape: the request result with the error code. */
const asError = (code: string, disposition: string) => HttpSubmitResultSchema.extend({ code: z.literal(code), disposition: z.literal(disposition) });

export const REQUEST_ROUTES: RouteSpec[] = [
  {
    method: 'post',
    path: '/api/v1/requests',
    operationId: 'submitRequest',
    summary: 'Submit a PKCS#10 certificate request (ICertRequest::Submit)',
    description:
      'JSON body, or the raw request as `application/pkcs10` (DER, PEM or base64; CA from `?ca=`, attributes from `?attributes=`). ' +
      'The idempotency key may come from the `Idempotency-Key` header or the body; if both are sent they must be equal. ' +
      'A retry with the same key and the same request returns the first result with a fresh `retrievalSecret`, which replaces the earlier one. ' +
      'Every answer that names a request carries its `retrievalSecret` (shown once: the CA keeps only its hash); send it as the `Signet-Retrieval-Secret` header to read the request back. ' +
      'The intermediary checks shape and size only; the CA decodes and verifies the CSR.',
    tags: ['enrollment'],
    query: SubmitQuerySchema,
    headers: SubmitHeadersSchema,
    body: {
      required: true,
      content: {
        [JSON_MEDIA_TYPE]: SubmitBodySchema,
        [PKCS10_MEDIA_TYPE]: z.string().meta({ description: 'DER (binary), PEM or base64 of the DER', contentMediaType: PKCS10_MEDIA_TYPE }),
      },
    },
    responses: {
      '200': result('revoked', 'An idempotent retry found the earlier request issued and since revoked.'),
      '201': result('issued', 'Issued: the body carries the certificate, chain and serial.'),
      '202': result('pending', 'Pending (held for an officer, or the policy module was unreachable): poll Location.'),
      '400': {
        description:
          'Denied by policy (REQUEST_DENIED, with requestId, decidedBy and retrievalSecret: an officer may still approve it), or a bad request: BAD_MESSAGE (names the field), MALFORMED_REQUEST, BAD_SIGNATURE, BAD_ATTRIBUTES, ' +
          'CA_REQUIRED (no CA named and no default; `details.cas` lists the CAs).',
        headers: noStore,
        content: { [JSON_MEDIA_TYPE]: z.union([asError('REQUEST_DENIED', 'denied'), ErrorBodySchema]) },
      },
      '404': 'UnknownCa',
      '409': 'Conflict',
      '413': 'TooLarge',
      '415': 'UnsupportedMediaType',
      '500': {
        description: 'The request failed at the CA (REQUEST_FAILED, with requestId and retrievalSecret), or INTERNAL / LINT_FAILED.',
        headers: noStore,
        content: { [JSON_MEDIA_TYPE]: z.union([asError('REQUEST_FAILED', 'failed'), ErrorBodySchema]) },
      },
      '503': {
        description:
          'CA_UNAVAILABLE (no CA answers, or it timed out), or POLICY_UNAVAILABLE: the request is stored as pending and an officer can resubmit it; ' +
          '`details.requestId` and `details.retrievalSecret` read it back. Retry after the given seconds.',
        headers: { 'Retry-After': { description: `Seconds to wait before retrying (${RETRY_AFTER_SECONDS.unavailable})`, schema: z.number().int(), required: true } },
        content: { [JSON_MEDIA_TYPE]: ErrorBodySchema },
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/requests/{id}',
    operationId: 'retrieveRequest',
    summary: 'Status of an earlier request, with the certificate if issued (ICertRequest::RetrievePending); for its submitter only',
    description:
      'Only the request\'s owner reads it: whoever sends its `retrievalSecret` (from the submit answer) in the `Signet-Retrieval-Secret` header. ' +
      'Without it, or with a wrong one, the answer is exactly that for an id that does not exist, so request ids cannot be probed. ' +
      'A read writes nothing at the CA, except the first retrieval of a certificate an officer approved after the submit (the `request.retrieved` event, once).',
    tags: ['enrollment'],
    params: z.object({ id: RequestIdPathSchema }),
    query: RetrieveQuerySchema,
    headers: RetrieveHeadersSchema,
    responses: {
      '200': { description: 'The request, whatever its disposition', headers: noStore, content: { [JSON_MEDIA_TYPE]: HttpRequestResultSchema } },
      '400': {
        description: 'BAD_MESSAGE (names the field; a `Signet-Retrieval-Secret` over 256 characters), or CA_REQUIRED (no `ca` and no default; `details.cas` lists the CAs)',
        content: { [JSON_MEDIA_TYPE]: ErrorBodySchema },
      },
      '404': {
        description: 'NOT_FOUND: no such request, or not the caller\'s (no or a wrong `Signet-Retrieval-Secret`): one answer for both. UNKNOWN_CA: no CA of that name.',
        content: { [JSON_MEDIA_TYPE]: ErrorBodySchema },
      },
      '500': 'Internal',
      '503': 'Unavailable',
    },
  },
];
