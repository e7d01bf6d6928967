import { errorRef, json, paramRef, ref, type MediaType, type Parameter, type Ref, type Response } from '@signet/http';
import { READ_ROLES } from '../auth/access';
import { COMPONENTS } from './openapi.components';
import { type AccessDoc, type AdminOpenApiDocument, type AdminOperation } from './openapi.types';

type ErrorName = 'BadMessage' | 'NotFound' | 'WrongState' | 'AlreadyExists' | 'TooLarge' | 'UnsupportedMediaType';

const read = (...roles: string[]): AccessDoc => ({ kind: 'read', roles: roles.length ? roles : [...READ_ROLES] });
const manage = (...roles: string[]): AccessDoc => ({ kind: 'manage', roles });

interface OpSpec {
  id: string;
  summary: string;
  description?: string;
  tag: string;
  access: AccessDoc;
  parameters?: (Parameter | Ref)[];
  body?: { required: boolean; content: Record<string, MediaType> };
  ok: [status: string, answer: Response];
  errors?: ErrorName[];
}

/**
 * One operation; every authenticated one answers 401, 403, 500 and 503,
 * and lists who may call it under `x-signet-access` (a test checks that it
 * matches the route's access decorator, by calling the route as each role).
 */
function op(s: OpSpec): AdminOperation {
  const responses: AdminOperation['responses'] = { [s.ok[0]]: s.ok[1] };
  for (const e of s.errors ?? []) responses[{ BadMessage: '400', NotFound: '404', WrongState: '409', AlreadyExists: '409', TooLarge: '413', UnsupportedMediaType: '415' }[e]] = errorRef(e);
  const authenticated = s.access.kind !== 'public';
  if (authenticated) {
    responses['401'] = errorRef('Unauthorized');
    responses['403'] = errorRef('Forbidden');
    responses['503'] = errorRef('Unavailable');
  }
  responses['500'] = errorRef('Internal');
  return {
    operationId: s.id,
    summary: s.summary,
    ...(s.description ? { description: s.description } : {}),
    tags: [s.tag],
    'x-signet-access': s.access,
    ...(authenticated ? {} : { security: [] }),
    ...(s.parameters ? { parameters: s.parameters } : {}),
    ...(s.body ? { requestBody: s.body } : {}),
    responses,
  };
}

const ok = (description: string, schema: string): Response => ({ description, content: json(ref(schema)) });
const bodyErrors: ErrorName[] = ['BadMessage', 'TooLarge', 'UnsupportedMediaType'];
const optionalJson = (schema: string) => ({ required: false, content: json(ref(schema)) });

/**
 * admin-api's HTTP API. Written by hand next to the controllers; tests check
 * that every route Nest registers is described here, with its roles.
 */
export const OPENAPI_DOCUMENT: AdminOpenApiDocument = {
  openapi: '3.1.0',
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
    { name: 'meta', description: 'Probes and this document' },
  ],
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/requests/{id}': {
      get: op({ id: 'getRequest', summary: 'A request with its attributes, extensions and certificate', tag: 'requests', access: read(), parameters: [paramRef('RequestId')], ok: ['200', ok('The request', 'RequestDetail')], errors: ['BadMessage', 'NotFound'] }),
    },
    '/api/v1/requests/{id}/resubmit': {
      post: op({
        id: 'resubmitRequest',
        summary: 'Run the policy again with newRequest=false (ICertAdmin::ResubmitRequest)',
        description: 'Pending and denied requests only; a failed, issued or revoked one is 409 WRONG_STATE. Answers the new disposition (with the certificate when issued). Two officers racing on one request: one wins, the other gets 409.',
        tag: 'requests',
        access: manage('officer'),
        parameters: [paramRef('RequestId')],
        body: { required: false, content: json({ type: 'object', additionalProperties: false }) },
        ok: ['200', ok('The new disposition', 'RequestResult')],
        errors: ['BadMessage', 'NotFound', 'WrongState', ...bodyErrors.slice(1)],
      }),
    },
    '/api/v1/requests/{id}/deny': {
      post: op({
        id: 'denyRequest',
        summary: 'Deny a pending request (ICertAdmin::DenyRequest)',
        tag: 'requests',
        access: manage('officer'),
        parameters: [paramRef('RequestId')],
        body: optionalJson('DenyBody'),
        ok: ['200', ok('The new disposition (denied)', 'RequestResult')],
        errors: ['BadMessage', 'NotFound', 'WrongState', ...bodyErrors.slice(1)],
      }),
    },
    '/api/v1/requests/{id}/attributes': {
      patch: op({
        id: 'setRequestAttributes',
        summary: 'Add or change attributes of a pending request (ICertAdmin::SetRequestAttributes)',
        description: 'The raw attribute string as submitted never changes; the parsed attributes get origin admin. Resubmit to let the policy see them.',
        tag: 'requests',
        access: manage('officer'),
        parameters: [paramRef('RequestId')],
        body: { required: true, content: { ...json(ref('AttributesBody')), 'text/plain': { schema: { type: 'string', description: 'AD CS `name:value` lines' } } } },
        ok: ['200', ok('The request as it now is', 'RequestDetail')],
        errors: ['BadMessage', 'NotFound', 'WrongState', 'TooLarge', 'UnsupportedMediaType'],
      }),
    },
    '/api/v1/requests/{id}/extensions/{oid}': {
      put: op({
        id: 'setRequestExtension',
        summary: 'Set an extension on a pending request (ICertAdmin::SetCertificateExtension, origin admin)',
        description: 'An admin extension wins over the policy\'s on the next resubmit (ADR 0005).',
        tag: 'requests',
        access: manage('officer'),
        parameters: [paramRef('RequestId'), { name: 'oid', in: 'path', required: true, description: 'Dotted OID', schema: { type: 'string', pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$' } }],
        body: { required: true, content: json(ref('ExtensionBody')) },
        ok: ['200', ok('The request as it now is', 'RequestDetail')],
        errors: ['BadMessage', 'NotFound', 'WrongState', 'TooLarge', 'UnsupportedMediaType'],
      }),
    },
    '/api/v1/certificates/import': {
      post: op({
        id: 'importCertificate',
        summary: 'Record a certificate this CA issued that its database lacks (ICertAdmin::ImportCertificate, certutil -importcert)',
        description:
          'For a certificate signed by this CA\'s key under its name before the database knew of it (a restore from an older backup, a CA moved to Signet with its key). ' +
          'It becomes a request of type `imported`, disposition issued, revocable and on CRLs like any other; exit modules get certificate.imported. ' +
          '400 MALFORMED_CERTIFICATE when it is not one X.509 certificate, 400 FOREIGN_CERTIFICATE when this CA did not issue it (or it is the CA\'s own), 409 ALREADY_EXISTS when its serial is in the database.',
        tag: 'certificates',
        access: manage('officer'),
        body: { required: true, content: json(ref('ImportCertificateBody')) },
        ok: ['201', { description: 'The new request row with its certificate', headers: { Location: { description: '`/api/v1/requests/{id}`', schema: { type: 'string' } } }, content: json(ref('RequestDetail')) }],
        errors: ['BadMessage', 'AlreadyExists', 'TooLarge', 'UnsupportedMediaType'],
      }),
    },
    '/api/v1/certificates/{serial}': {
      get: op({ id: 'getCertificate', summary: 'A certificate and the request it was issued for', tag: 'certificates', access: read(), parameters: [paramRef('Serial')], ok: ['200', ok('The request with its certificate', 'RequestDetail')], errors: ['BadMessage', 'NotFound'] }),
    },
    '/api/v1/certificates/{serial}/status': {
      get: op({ id: 'getCertificateStatus', summary: 'Issued and not revoked? (ICertAdmin::IsValidCertificate; does not check expiry)', tag: 'certificates', access: read(), parameters: [paramRef('Serial')], ok: ['200', ok('The status', 'CertificateStatus')], errors: ['BadMessage', 'NotFound'] }),
    },
    '/api/v1/certificates/{serial}/revoke': {
      post: op({
        id: 'revokeCertificate',
        summary: 'Revoke (ICertAdmin::RevokeCertificate); repeatable to change the reason or dates',
        tag: 'certificates',
        access: manage('officer'),
        parameters: [paramRef('Serial')],
        body: optionalJson('RevokeBody'),
        ok: ['200', ok('The status after revocation', 'CertificateStatus')],
        errors: ['BadMessage', 'NotFound', 'WrongState', ...bodyErrors.slice(1)],
      }),
    },
    '/api/v1/certificates/{serial}/release': {
      post: op({
        id: 'releaseCertificate',
        summary: 'Release from hold (RevokeCertificate with MAXDWORD); only a certificateHold revocation, else 409',
        tag: 'certificates',
        access: manage('officer'),
        parameters: [paramRef('Serial')],
        body: { required: false, content: json({ type: 'object', additionalProperties: false }) },
        ok: ['200', ok('The status after release', 'CertificateStatus')],
        errors: ['BadMessage', 'NotFound', 'WrongState', ...bodyErrors.slice(1)],
      }),
    },
    '/api/v1/crls/publish': {
      post: op({
        id: 'publishCrl',
        summary: 'Issue a base CRL, or a delta CRL with {"delta":true}, now (ICertAdmin::PublishCRLs, certutil -CRL)',
        tag: 'crls',
        access: manage('ca-admin'),
        body: optionalJson('PublishCrlBody'),
        ok: ['200', ok('The CRL that was issued', 'PublishCrlResult')],
        errors: ['BadMessage', ...bodyErrors.slice(1)],
      }),
    },
    '/api/v1/view': {
      get: op({
        id: 'view',
        summary: 'List and search requests and certificates (ICertView)',
        tag: 'view',
        access: read(),
        parameters: [
          paramRef('Preset'),
          paramRef('Filter'),
          paramRef('Sort'),
          { name: 'limit', in: 'query', description: 'Rows per page', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'cursor', in: 'query', description: '`nextCursor` of the previous page', schema: { type: 'string', maxLength: 2048 } },
          { name: 'count', in: 'query', description: 'Also count every matching row (`true`/`false`)', schema: { type: 'string', enum: ['true', 'false', '1', '0'] } },
        ],
        ok: ['200', ok('One page', 'ViewPage')],
        errors: ['BadMessage'],
      }),
    },
    '/api/v1/view/export': {
      get: op({
        id: 'viewExport',
        summary: 'Every matching row, streamed as CSV or JSON, up to SIGNET_EXPORT_MAX_ROWS',
        description: 'Headers `X-Total-Count`, `X-Export-Max-Rows`, `X-Export-Truncated` are set before the body. A failure half-way cuts the connection rather than ending a short file cleanly. CSV cells that a spreadsheet would run as formulas are prefixed with `\'`.',
        tag: 'view',
        access: read(),
        parameters: [
          paramRef('Preset'),
          paramRef('Filter'),
          paramRef('Sort'),
          { name: 'format', in: 'query', description: 'csv (default) or json', schema: { type: 'string', enum: ['csv', 'json'] } },
          { name: 'maxRows', in: 'query', description: 'Lower the row cap for this export', schema: { type: 'integer', minimum: 1 } },
        ],
        ok: ['200', { description: 'The rows', content: { 'text/csv': { schema: { type: 'string' } }, ...json(ref('ViewExport')) } }],
        errors: ['BadMessage'],
      }),
    },
    '/api/v1/modules': {
      get: op({ id: 'listModules', summary: 'Policy and exit modules the CA has seen', tag: 'ca', access: read(), ok: ['200', ok('The modules', 'ModuleList')] }),
    },
    '/api/v1/audit': {
      get: op({
        id: 'listAudit',
        summary: 'Audit log entries, oldest first',
        tag: 'ca',
        access: manage('auditor'),
        parameters: [
          { name: 'afterId', in: 'query', description: 'Entries after this id', schema: { type: 'integer', minimum: 0 } },
          { name: 'limit', in: 'query', description: 'At most this many', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'requestId', in: 'query', description: 'Only this request\'s entries', schema: { type: 'integer', minimum: 1 } },
        ],
        ok: ['200', ok('Entries', 'AuditList')],
        errors: ['BadMessage'],
      }),
    },
    '/api/v1/audit/verify': {
      get: op({ id: 'verifyAudit', summary: 'Check the audit log\'s hash chain; names the first broken entry', tag: 'ca', access: manage('auditor'), ok: ['200', ok('The result (ok or brokenAt)', 'AuditVerify')] }),
    },
    '/api/v1/tokens': {
      post: op({
        id: 'createToken',
        summary: 'Create an admin token with roles (shown once)',
        tag: 'ca',
        access: manage('ca-admin'),
        body: { required: true, content: json(ref('CreateTokenBody')) },
        ok: ['201', ok('The token', 'TokenCreated')],
        errors: ['BadMessage', 'TooLarge', 'UnsupportedMediaType'],
      }),
    },
    '/api/v1/dead-letters': {
      get: op({
        id: 'listDeadLetters',
        summary: 'Events an exit module gave up on (exit-service)',
        tag: 'ca',
        access: read('ca-admin', 'officer'),
        parameters: [
          { name: 'module', in: 'query', description: 'Only this exit module', schema: { type: 'string', maxLength: 128 } },
          { name: 'limit', in: 'query', description: 'At most this many', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        ok: ['200', ok('Dead letters', 'DeadLetterList')],
        errors: ['BadMessage'],
      }),
    },
    '/api/v1/exit-modules': {
      get: op({
        id: 'exitModules',
        summary: "How far behind exit-service's modules are: events waiting and in delivery per event, dead letters (EJBCA's publisher queue)",
        tag: 'ca',
        access: read(),
        ok: ['200', ok('The modules with their consumers', 'ExitModules')],
      }),
    },
    '/api/v1/dead-letters/replay-all': {
      post: op({
        id: 'replayAllDeadLetters',
        summary: "Replay one module's dead letters, oldest first, once its receiver is fixed",
        description: 'Stops at the first one that fails again (it stays, and the answer says why), after `limit`, or after about 4 s; ask again while `remaining` is above 0.',
        tag: 'ca',
        access: manage('ca-admin'),
        body: { required: true, content: json(ref('ReplayAllBody')) },
        ok: ['200', ok('What was replayed', 'ReplayAllResult')],
        errors: ['BadMessage', 'WrongState', ...bodyErrors.slice(1)],
      }),
    },
    '/api/v1/dead-letters/{id}': {
      delete: op({
        id: 'discardDeadLetter',
        summary: 'Drop a dead letter without delivering it (the CA keeps the request, certificate and audit record)',
        tag: 'ca',
        access: manage('ca-admin'),
        parameters: [{ name: 'id', in: 'path', required: true, description: 'Dead letter id', schema: { type: 'string', maxLength: 128 } }],
        ok: ['200', ok('What was dropped', 'DiscardResult')],
        errors: ['BadMessage', 'NotFound'],
      }),
    },
    '/api/v1/dead-letters/{id}/replay': {
      post: op({
        id: 'replayDeadLetter',
        summary: 'Hand a dead letter to its exit module again',
        tag: 'ca',
        access: manage('ca-admin'),
        parameters: [{ name: 'id', in: 'path', required: true, description: 'Dead letter id', schema: { type: 'string', maxLength: 128 } }],
        body: { required: false, content: json({ type: 'object', additionalProperties: false }) },
        ok: ['200', ok('The replay result', 'ReplayResult')],
        errors: ['BadMessage', 'NotFound'],
      }),
    },
    '/api/v1/me': {
      get: op({ id: 'me', summary: 'The caller, their roles, and whether role separation lets them manage (ICertAdmin2::GetMyRoles)', tag: 'ca', access: read(), ok: ['200', ok('The caller', 'Me')] }),
    },
    '/api/v1/openapi.json': {
      get: op({ id: 'getOpenApi', summary: 'This document', tag: 'meta', access: { kind: 'public' }, ok: ['200', { description: 'OpenAPI 3.1', content: json({ type: 'object' }) }] }),
    },
    '/healthz': {
      get: op({ id: 'liveness', summary: 'The process is alive', tag: 'meta', access: { kind: 'public' }, ok: ['200', { description: 'Alive', content: json({ type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] }) }] }),
    },
    '/readyz': {
      get: {
        ...op({ id: 'readiness', summary: 'The bus is connected and this CA answers on it', tag: 'meta', access: { kind: 'public' }, ok: ['200', ok('Ready', 'Readiness')] }),
        responses: { '200': ok('Ready', 'Readiness'), '503': errorRef('Unavailable') },
      },
    },
  },
  components: COMPONENTS,
};
