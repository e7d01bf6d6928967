import { buildOpenApiDocument, type OpenApiDocument } from '@signet/http';
import { z } from 'zod';
import { AUDIT_ROUTES } from '../audit/audit.routes';
import { CERTIFICATE_ROUTES } from '../certificates/certificates.routes';
import { CRL_ROUTES } from '../crls/crls.routes';
import { DEAD_LETTER_ROUTES } from '../dead-letters/dead-letters.routes';
import { ENROLLMENT_SECRET_ROUTES } from '../enrollment-secrets/enrollment-secrets.routes';
import { HEALTH_ROUTES } from '../health/health.routes';
import { ME_ROUTES } from '../me/me.routes';
import { MODULE_ROUTES } from '../modules/modules.routes';
import { REQUEST_ROUTES } from '../requests/requests.routes';
import { TOKEN_ROUTES } from '../tokens/tokens.routes';
import { VIEW_ROUTES } from '../view/view.routes';
import { adminRoute, json, PUBLIC, SHARED_ANSWERS, type AdminExtensions } from './admin-route';

/**
 * admin-api's HTTP API, generated from the route tables beside the
 * controllers and the zod schemas that validate each request; tests check
 * that every route Nest registers is in it, with the roles its handler
 * declares.
 */
export const OPENAPI_DOCUMENT: OpenApiDocument<AdminExtensions> = buildOpenApiDocument<AdminExtensions>({
  info: {
    title: 'Signet admin-api',
    version: '1.0.0',
    description:
      'The operator API of one Signet CA (AD CS ICertAdmin + ICertView over HTTP). Every call but the probes needs ' +
      '`Authorization: Bearer <token>`; `x-signet-access` on each operation says which roles may make it (`manage` calls are ' +
      'refused to callers holding two or more of ca-admin, officer, auditor when role separation is on). ' +
      'Every error is `{code, message, details?}` JSON; the code is one of `ErrorCode` in @signet/contracts.',
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  tags: [
    { name: 'requests', description: 'ICertAdmin on requests: resubmit, deny, edit pending requests, read one' },
    { name: 'certificates', description: 'ICertAdmin on certificates: revoke, release from hold, status, read one, import one the CA issued' },
    { name: 'crls', description: 'ICertAdmin::PublishCRLs: issue a base or delta CRL now' },
    { name: 'view', description: 'ICertView: list and search, export' },
    { name: 'ca', description: 'Modules, audit log, tokens, dead letters, the caller' },
    { name: 'enrollment', description: 'Enrollment secrets: one-time passwords an officer hands to an enrollee (ADR 0032)' },
    { name: 'meta', description: 'Probes and this document' },
  ],
  security: [{ bearer: [] }],
  securitySchemes: {
    bearer: { type: 'http', scheme: 'bearer', description: 'An admin token (`admin-token create`, or POST /api/v1/tokens). admin-api sends only its SHA-256 to ca-core.' },
  },
  routes: [
    ...REQUEST_ROUTES,
    ...CERTIFICATE_ROUTES,
    ...CRL_ROUTES,
    ...VIEW_ROUTES,
    ...MODULE_ROUTES,
    ...AUDIT_ROUTES,
    ...TOKEN_ROUTES,
    ...ENROLLMENT_SECRET_ROUTES,
    ...DEAD_LETTER_ROUTES,
    ...ME_ROUTES,
    adminRoute({
      method: 'get',
      path: '/api/v1/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This document',
      tags: ['meta'],
      access: PUBLIC,
      ok: ['200', json('OpenAPI 3.1', z.looseObject({}))],
    }),
    ...HEALTH_ROUTES,
  ],
  responses: SHARED_ANSWERS,
});
