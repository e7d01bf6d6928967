import { buildOpenApiDocument, ErrorBodySchema, type AnswerSpec, type OpenApiDocument } from '@signet/http';
import { z } from 'zod';
import { CA_ROUTES } from '../cas/cas.routes';
import { EST_ROUTES } from '../est/est.routes';
import { HEALTH_ROUTES } from '../health/health.routes';
import { REQUEST_ROUTES } from '../requests/requests.routes';
import { REVOCATION_ROUTES } from '../revocation/revocation.routes';

const error = (description: string): AnswerSpec => ({ description, content: { 'application/json': ErrorBodySchema } });

/**
 * The intermediary's HTTP API, generated from the route tables beside the
 * controllers and the zod schemas that validate each request; a test
 * checks that every route Nest registers is in it.
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = buildOpenApiDocument({
  info: {
    title: 'Signet intermediary',
    version: '1.0.0',
    description:
      'The client-facing front door of a Signet CA (AD CS ICertConfig + ICertRequest over HTTP). ' +
      'Every error is `{code, message, details?}` JSON; the code is one of `ErrorCode` in @signet/contracts. ' +
      'Callers are anonymous until an authentication method is configured (ADR 0026): a request is read back with the `retrievalSecret` its submit answered, sent as the `Signet-Retrieval-Secret` header. ' +
      'A credential that is presented and does not hold is 401 `UNAUTHORIZED`, never anonymous; a one-time credential used twice is 401 `CREDENTIAL_REPLAYED`.',
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  tags: [
    { name: 'enrollment', description: 'ICertRequest: submit and retrieve certificate requests' },
    { name: 'cas', description: 'ICertConfig and CA reads: which CAs exist, their certificates and properties' },
    { name: 'revocation', description: 'Revocation status for relying parties: CRLs (CDP), the CA certificate (AIA caIssuers), OCSP (AIA OCSP)' },
    { name: 'est', description: 'EST (RFC 7030, RFC 8951) for devices, over HTTPS only' },
    { name: 'meta', description: 'Probes and this document' },
  ],
  routes: [
    ...REVOCATION_ROUTES,
    ...REQUEST_ROUTES,
    ...CA_ROUTES,
    ...EST_ROUTES,
    {
      method: 'get',
      path: '/api/v1/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This document',
      tags: ['meta'],
      responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': z.looseObject({}) } } },
    },
    ...HEALTH_ROUTES,
  ],
  responses: {
    BadMessage: error('BAD_MESSAGE: a missing or invalid field, query parameter or id (`details.field` names it, or `details.fields` several)'),
    NotFound: error('NOT_FOUND: no CA of that name is known, not a file name this route serves, or the CA has not issued such a CRL yet'),
    CaRequired: error('CA_REQUIRED: the request names no CA, and there is no default (several CAs on the bus, none configured by SIGNET_DEFAULT_CA or declared); the message and `details.cas` list them'),
    UnknownCa: error('UNKNOWN_CA: no CA of that name answers discovery'),
    Conflict: error('IDEMPOTENCY_CONFLICT (same key, different request) or IN_PROGRESS (same key, still running; Retry-After)'),
    TooLarge: error('TOO_LARGE: the body exceeds SIGNET_BODY_LIMIT_BYTES, or the CSR or attributes exceed their limits'),
    UnsupportedMediaType: error('UNSUPPORTED_MEDIA_TYPE: Content-Type is neither application/json nor application/pkcs10'),
    Internal: error('INTERNAL: an unexpected fault (details are logged, never returned)'),
    Unavailable: {
      ...error('CA_UNAVAILABLE (no CA answers, or it timed out) or POLICY_UNAVAILABLE; retry after the given seconds'),
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: z.number().int(), required: true } },
    },
  },
});
