import { RequestIdSchema } from '@signet/contracts';
import { ErrorBodySchema, HttpRequestResultSchema, type AnswerSpec, type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { parseRequestId } from './outcome';
import { CaQuerySchema } from '../http/input';
import { JSON_MEDIA_TYPE, PKCS10_MEDIA_TYPE, SubmitBodySchema, SubmitHeadersSchema, SubmitQuerySchema } from './submit-input';

/** `{id}` of /api/v1/requests/{id}: a positive integer that JSON numbers carry exactly. */
export const RequestIdPathSchema = z.string().transform(parseRequestId).pipe(RequestIdSchema.meta({ description: 'Request id from submit' }));

/** GET /api/v1/requests/{id}?ca= */
export const RetrieveQuerySchema = CaQuerySchema;

const locationHeader = { Location: { description: 'Where to poll the request: `/api/v1/requests/{id}?ca={ca}`.', schema: z.string() } };
const result = (disposition: string, description: string): AnswerSpec => ({
  description,
  headers: locationHeader,
  content: { [JSON_MEDIA_TYPE]: z.intersection(HttpRequestResultSchema, z.looseObject({ disposition: z.literal(disposition) })) },
});
/** Denied and failed answer in the error shape: the request result with the error code. */
const asError = (code: string, disposition: string) => HttpRequestResultSchema.extend({ code: z.literal(code), disposition: z.literal(disposition) });

export const REQUEST_ROUTES: RouteSpec[] = [
  {
    method: 'post',
    path: '/api/v1/requests',
    operationId: 'submitRequest',
    summary: 'Submit a PKCS#10 certificate request (ICertRequest::Submit)',
    description:
      'JSON body, or the raw request as `application/pkcs10` (DER, PEM or base64; CA from `?ca=`, attributes from `?attributes=`). ' +
      'The idempotency key may come from the `Idempotency-Key` header or the body; if both are sent they must be equal. ' +
      'A retry with the same key returns the first result. The intermediary checks shape and size only; the CA decodes and verifies the CSR.',
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
          'Denied by policy (REQUEST_DENIED, with requestId and decidedBy), or a bad request: BAD_MESSAGE (names the field), MALFORMED_REQUEST, BAD_SIGNATURE, BAD_ATTRIBUTES, ' +
          'CA_REQUIRED (no CA named and no default; `details.cas` lists the CAs).',
        content: { [JSON_MEDIA_TYPE]: z.union([asError('REQUEST_DENIED', 'denied'), ErrorBodySchema]) },
      },
      '404': 'UnknownCa',
      '409': 'Conflict',
      '413': 'TooLarge',
      '415': 'UnsupportedMediaType',
      '500': {
        description: 'The request failed at the CA (REQUEST_FAILED, with requestId), or INTERNAL / LINT_FAILED.',
        content: { [JSON_MEDIA_TYPE]: z.union([asError('REQUEST_FAILED', 'failed'), ErrorBodySchema]) },
      },
      '503': 'Unavailable',
    },
  },
  {
    method: 'get',
    path: '/api/v1/requests/{id}',
    operationId: 'retrieveRequest',
    summary: 'Status of an earlier request, with the certificate if issued (ICertRequest::RetrievePending)',
    tags: ['enrollment'],
    params: z.object({ id: RequestIdPathSchema }),
    query: RetrieveQuerySchema,
    responses: {
      '200': { description: 'The request, whatever its disposition', content: { [JSON_MEDIA_TYPE]: HttpRequestResultSchema } },
      '400': { description: 'BAD_MESSAGE (names the field), or CA_REQUIRED (no `ca` and no default; `details.cas` lists the CAs)', content: { [JSON_MEDIA_TYPE]: ErrorBodySchema } },
      '404': { description: 'NOT_FOUND (no such request) or UNKNOWN_CA', content: { [JSON_MEDIA_TYPE]: ErrorBodySchema } },
      '500': 'Internal',
      '503': 'Unavailable',
    },
  },
];
