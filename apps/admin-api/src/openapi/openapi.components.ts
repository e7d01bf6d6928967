import { DISPOSITIONS, ERROR_CODES, EXIT_EVENTS, EXTENSION_ORIGINS, LIMITS, REQUEST_TYPES, REVOCATION_REASONS, ROLES, VIEW_COLUMNS } from '@signet/contracts';
import { json, PEM_SCHEMA, ref, REQUEST_RESULT_SCHEMAS, SERIAL_SCHEMA, type Schema } from '@signet/http';
import { type AdminOpenApiDocument } from './openapi.types';

const time: Schema = { type: 'string', format: 'date-time' };
const nullableTime: Schema = { type: ['string', 'null'], format: 'date-time' };
const pem = PEM_SCHEMA;
const serial = SERIAL_SCHEMA;
const reasons = Object.entries(REVOCATION_REASONS).filter(([, c]) => c !== 8);

const schemas: Record<string, Schema> = {
  ...REQUEST_RESULT_SCHEMAS,
  Role: { type: 'string', enum: ROLES, description: 'ca-admin (CA administrator), officer (certificate manager), auditor, viewer (read-only)' },
  Error: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'string', enum: ERROR_CODES },
      message: { type: 'string' },
      details: { type: 'object', description: '`field` for BAD_MESSAGE; `reason` (MISSING_ROLE, ROLE_SEPARATION, invalid_token, missing_token) for 401/403', additionalProperties: true },
    },
  },
  Extension: {
    type: 'object',
    required: ['oid', 'critical', 'value', 'origin', 'disabled'],
    properties: {
      oid: { type: 'string' },
      critical: { type: 'boolean' },
      value: { type: 'string', description: 'DER, base64' },
      origin: { type: 'string', enum: EXTENSION_ORIGINS },
      disabled: { type: 'boolean', description: 'EXTENSION_DISABLE: stored, left out of the certificate' },
    },
  },
  CertificateStatus: {
    type: 'object',
    required: ['serial', 'status', 'caDisposition'],
    properties: {
      ca: ref('CaName'),
      serial,
      status: { type: 'string', enum: ['valid', 'revoked', 'unknown'] },
      caDisposition: { type: 'integer', description: 'CA_DISP_*: 2 revoked, 3 valid, 4 invalid (unknown serial)' },
      requestId: { type: 'integer' },
      reason: { type: 'integer', description: 'RFC 5280 CRLReason' },
      reasonName: { type: 'string', enum: reasons.map(([n]) => n) },
      revokedAt: time,
      effectiveAt: time,
      invalidityDate: time,
      notAfter: time,
    },
  },
  RequestDetail: {
    type: 'object',
    required: ['requestId', 'disposition', 'dispositionCode', 'message', 'statusCode', 'requesterName', 'subject', 'submittedAt', 'attributesRaw', 'attributes', 'extensions', 'requestType', 'request'],
    properties: {
      requestId: { type: 'integer' },
      disposition: { type: 'string', enum: DISPOSITIONS },
      dispositionCode: { type: 'integer' },
      message: { type: 'string' },
      statusCode: { type: 'integer', description: 'HRESULT-style status' },
      decidedBy: { oneOf: [ref('DecidedBy'), { type: 'null' }] },
      requesterName: { type: 'string' },
      subject: { type: 'string' },
      template: { type: ['string', 'null'] },
      submittedAt: time,
      resolvedAt: nullableTime,
      attributesRaw: { type: 'string', description: 'The attribute string as submitted (never changes)' },
      attributes: {
        type: 'array',
        items: { type: 'object', required: ['name', 'value', 'origin'], properties: { name: { type: 'string' }, displayName: { type: 'string' }, value: { type: 'string' }, origin: { type: 'string', enum: ['request', 'admin'] } } },
      },
      extensions: { type: 'array', items: ref('Extension') },
      requestType: { type: 'string', enum: REQUEST_TYPES, description: '`imported`: recorded by ImportCertificate; there was no certificate request' },
      request: { oneOf: [pem, { type: 'null' }], description: 'The PKCS#10, PEM; null for an imported certificate' },
      certificate: {
        type: 'object',
        required: ['serial', 'pem', 'notBefore', 'notAfter', 'status'],
        properties: { serial, pem, notBefore: time, notAfter: time, status: ref('CertificateStatus') },
      },
    },
  },
  AttributesBody: {
    description: 'An object of name → value, or the AD CS string `name:value` lines (as a JSON string or a text/plain body)',
    oneOf: [{ type: 'object', additionalProperties: { type: 'string', maxLength: LIMITS.attributeValueChars }, maxProperties: LIMITS.attributeCount }, { type: 'string', maxLength: LIMITS.attributesChars }],
  },
  ExtensionBody: {
    type: 'object',
    additionalProperties: false,
    description: 'Exactly one of `der` and `value`',
    properties: {
      critical: { type: 'boolean', default: false },
      disabled: { type: 'boolean', default: false, description: 'EXTENSION_DISABLE' },
      der: { type: 'string', description: 'The extension value, DER in base64 (PROPTYPE_BINARY)', maxLength: LIMITS.extensionValueChars },
      value: {
        type: 'object',
        required: ['type', 'value'],
        description: 'Typed value: string (encoded as IA5String), long (INTEGER), date (Time), der (base64)',
        properties: { type: { type: 'string', enum: ['string', 'long', 'date', 'der'] }, value: { type: ['string', 'number'] } },
      },
    },
  },
  ImportCertificateBody: {
    type: 'object',
    required: ['certificate'],
    additionalProperties: false,
    properties: { certificate: { ...pem, maxLength: LIMITS.certificateChars, description: 'One certificate this CA issued, PEM (one CERTIFICATE block)' } },
  },
  PublishCrlBody: { type: 'object', additionalProperties: false, properties: { delta: { type: 'boolean', default: false } } },
  PublishCrlResult: {
    type: 'object',
    required: ['ca', 'crlNumber', 'delta', 'baseCrlNumber', 'thisUpdate', 'nextUpdate', 'entries'],
    properties: {
      ca: ref('CaName'),
      crlNumber: { type: 'integer', minimum: 1 },
      delta: { type: 'boolean' },
      baseCrlNumber: { type: ['integer', 'null'], description: 'For a delta: the base CRL it is relative to' },
      thisUpdate: { type: 'string', format: 'date-time' },
      nextUpdate: { type: 'string', format: 'date-time' },
      entries: { type: 'integer', minimum: 0 },
    },
  },
  DenyBody: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 1024 } } },
  RevokeBody: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reason: { oneOf: [{ type: 'integer', enum: reasons.map(([, c]) => c) }, { type: 'string', enum: reasons.map(([n]) => n) }], default: 0, description: 'RFC 5280 CRLReason, number or name' },
      effectiveAt: { ...time, description: 'When the revocation takes effect (default now)' },
      invalidityDate: { ...time, description: 'When the key was known or suspected to be compromised' },
    },
  },
  ViewRow: {
    type: 'object',
    description: 'One row, keyed by AD CS column names',
    properties: {
      ...Object.fromEntries(VIEW_COLUMNS.map((c) => [c, { type: ['string', 'integer', 'null'] } as Schema])),
      DispositionMessage: { type: 'string' },
    },
  },
  ViewPage: {
    type: 'object',
    required: ['ca', 'rows', 'nextCursor', 'total'],
    properties: {
      ca: ref('CaName'),
      rows: { type: 'array', items: ref('ViewRow') },
      nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last' },
      total: { type: ['integer', 'null'], description: 'Every matching row, when `count=true`' },
    },
  },
  ViewExport: {
    type: 'object',
    required: ['ca', 'rows', 'exported', 'total', 'truncated'],
    properties: { ca: ref('CaName'), rows: { type: 'array', items: ref('ViewRow') }, exported: { type: 'integer' }, total: { type: 'integer' }, truncated: { type: 'boolean' } },
  },
  ModuleList: {
    type: 'object',
    required: ['ca', 'modules'],
    properties: {
      ca: ref('CaName'),
      modules: {
        type: 'array',
        items: {
          type: 'object',
          required: ['kind', 'name', 'description', 'version', 'eventMask', 'firstSeen', 'lastSeen'],
          properties: { kind: { type: 'string', enum: ['policy', 'exit'] }, name: { type: 'string' }, description: { type: 'string' }, version: { type: 'string' }, eventMask: { type: 'integer', description: 'EXITEVENT_* bits' }, firstSeen: time, lastSeen: time },
        },
      },
    },
  },
  AuditEntry: {
    type: 'object',
    required: ['id', 'at', 'actor', 'action', 'hash'],
    properties: {
      id: { type: 'integer' },
      at: time,
      actor: { type: 'string' },
      action: { type: 'string' },
      requestId: { type: ['integer', 'null'] },
      serial: { type: ['string', 'null'] },
      before: { type: ['string', 'null'] },
      after: { type: ['string', 'null'] },
      details: { type: 'object', additionalProperties: true },
      hash: { type: 'string', description: 'hex SHA-256 chaining this entry to the previous one' },
    },
  },
  AuditList: { type: 'object', required: ['ca', 'entries'], properties: { ca: ref('CaName'), entries: { type: 'array', items: ref('AuditEntry') } } },
  AuditVerify: {
    type: 'object',
    required: ['ca', 'ok', 'checked', 'brokenAt'],
    properties: {
      ca: ref('CaName'),
      ok: { type: 'boolean' },
      checked: { type: 'integer' },
      brokenAt: { oneOf: [{ type: 'null' }, { type: 'object', required: ['id', 'reason'], properties: { id: { type: 'integer' }, reason: { type: 'string' } } }] },
    },
  },
  CreateTokenBody: {
    type: 'object',
    required: ['name', 'roles'],
    additionalProperties: false,
    properties: { name: { type: 'string', pattern: '^[A-Za-z0-9._@-]+$', maxLength: 128 }, roles: { type: 'array', items: ref('Role'), maxItems: ROLES.length } },
  },
  TokenCreated: {
    type: 'object',
    required: ['name', 'roles', 'token'],
    properties: { name: { type: 'string' }, roles: { type: 'array', items: ref('Role') }, token: { type: 'string', description: 'Shown once; only its SHA-256 is stored' } },
  },
  DeadLetterList: {
    type: 'object',
    required: ['ca', 'deadLetters'],
    properties: {
      ca: ref('CaName'),
      deadLetters: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'module', 'eventId', 'event', 'attempts', 'lastError', 'failedAt'],
          properties: { id: { type: 'string' }, module: { type: 'string' }, eventId: { type: 'string' }, event: { type: 'string' }, requestId: { type: 'integer' }, attempts: { type: 'integer' }, lastError: { type: 'string' }, failedAt: time },
        },
      },
    },
  },
  ExitModules: {
    type: 'object',
    required: ['ca', 'modules'],
    description: "exit-service's modules and how far behind each is (from their durable consumers); modules run by other processes are not listed",
    properties: {
      ca: ref('CaName'),
      modules: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'description', 'events', 'deadLetters'],
          properties: {
            name: { type: 'string' },
            description: { type: 'string' },
            deadLetters: { type: 'integer', minimum: 0, description: 'Events it gave up on (GET /api/v1/dead-letters?module=…)' },
            events: {
              type: 'array',
              items: {
                type: 'object',
                required: ['event', 'consumer', 'pending', 'inFlight', 'redelivered', 'lastDelivered'],
                properties: {
                  event: { type: 'string', enum: EXIT_EVENTS },
                  consumer: { type: 'string', description: 'The durable consumer on SIGNET_EVENTS' },
                  pending: { type: 'integer', minimum: 0, description: 'Events not given to the module yet' },
                  inFlight: { type: 'integer', minimum: 0, description: 'Given, not yet done: in delivery or waiting for a retry' },
                  redelivered: { type: 'integer', minimum: 0, description: 'Of those, delivered more than once' },
                  lastDelivered: nullableTime,
                },
              },
            },
          },
        },
      },
    },
  },
  DiscardResult: {
    type: 'object',
    required: ['ca', 'id', 'module', 'eventId', 'discarded'],
    properties: { ca: ref('CaName'), id: { type: 'string' }, module: { type: 'string' }, eventId: { type: 'string' }, discarded: { const: true } },
  },
  ReplayAllBody: {
    type: 'object',
    required: ['module'],
    additionalProperties: false,
    properties: { module: { type: 'string', minLength: 1, maxLength: 128 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
  },
  ReplayAllResult: {
    type: 'object',
    required: ['ca', 'module', 'replayed', 'failed', 'remaining'],
    properties: {
      ca: ref('CaName'),
      module: { type: 'string' },
      replayed: { type: 'integer', minimum: 0, description: 'Delivered and removed' },
      failed: { oneOf: [{ type: 'null' }, { type: 'object', required: ['id', 'result'], properties: { id: { type: 'string' }, result: { type: 'string' } } }], description: 'The dead letter that failed again, and why' },
      remaining: { type: 'integer', minimum: 0, description: 'Dead letters of the module still there' },
    },
  },
  ReplayResult: { type: 'object', required: ['ca', 'id', 'replayed', 'result'], properties: { ca: ref('CaName'), id: { type: 'string' }, replayed: { type: 'boolean' }, result: { type: 'string' } } },
  Me: {
    type: 'object',
    required: ['ca', 'name', 'roles', 'roleSeparation', 'mayManage'],
    properties: { ca: ref('CaName'), name: { type: 'string' }, roles: { type: 'array', items: ref('Role') }, roleSeparation: { type: 'boolean' }, mayManage: { type: 'boolean' } },
  },
  Readiness: { type: 'object', required: ['status', 'bus', 'ca'], properties: { status: { const: 'ready' }, bus: { const: 'connected' }, ca: ref('CaName') } },
};

const errorJson = json(ref('Error'));

export const COMPONENTS: AdminOpenApiDocument['components'] = {
  securitySchemes: {
    bearer: { type: 'http', scheme: 'bearer', description: 'An admin token (`admin-token create`, or POST /api/v1/tokens). admin-api sends only its SHA-256 to ca-core.' },
  },
  parameters: {
    RequestId: { name: 'id', in: 'path', required: true, description: 'Request id (AD CS RequestID)', schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
    Serial: { name: 'serial', in: 'path', required: true, description: 'Certificate serial in hex; colons and upper case are accepted', schema: { type: 'string', maxLength: 128 } },
    Preset: { name: 'preset', in: 'query', description: 'queue (pending, in process), issued, revoked, failed (failed and denied), all', schema: { type: 'string', enum: ['queue', 'issued', 'revoked', 'failed', 'all'], default: 'all' } },
    Filter: {
      name: 'filter',
      in: 'query',
      description: `Repeatable: \`Column op value\` with op eq, lt, le, ge, gt, prefix (or = < <= >= >). Columns: ${VIEW_COLUMNS.join(', ')}. Example: \`Disposition eq pending\`, \`NotAfter lt 2027-01-01\`.`,
      schema: { type: 'string', maxLength: 1200 },
    },
    Sort: { name: 'sort', in: 'query', description: '`Column:asc|desc` (default RequestID:desc)', schema: { type: 'string' } },
  },
  schemas,
  responses: {
    BadMessage: { description: 'BAD_MESSAGE (a missing, unknown or invalid field or parameter; `details` names it) or BAD_ATTRIBUTES', content: errorJson },
    Unauthorized: {
      description: 'UNAUTHORIZED: no token, or a token ca-core does not know',
      headers: { 'WWW-Authenticate': { description: '`Bearer realm="signet-admin"`, with `error="invalid_token"` when a token was refused', schema: { type: 'string' }, required: true } },
      content: errorJson,
    },
    Forbidden: { description: 'FORBIDDEN: the caller lacks the role (`details.reason` MISSING_ROLE), or role separation refuses a caller with two or more roles (ROLE_SEPARATION)', content: errorJson },
    NotFound: { description: 'NOT_FOUND: no such request, certificate or dead letter', content: errorJson },
    AlreadyExists: { description: 'ALREADY_EXISTS: the CA\'s database holds a certificate with this serial already (`details.requestId` names its request)', content: errorJson },
    WrongState: { description: 'WRONG_STATE: the request\'s state does not allow this action (AD CS 0x80094003), e.g. resubmitting a failed request, editing an issued one, releasing a revocation that is not a hold', content: errorJson },
    TooLarge: { description: 'TOO_LARGE: the body exceeds SIGNET_BODY_LIMIT_BYTES or a field its limit', content: errorJson },
    UnsupportedMediaType: { description: 'UNSUPPORTED_MEDIA_TYPE: a body that is neither application/json nor text/plain', content: errorJson },
    Internal: { description: 'INTERNAL: an unexpected fault (details are logged, never returned)', content: errorJson },
    Unavailable: {
      description: 'CA_UNAVAILABLE: ca-core (or exit-service) did not answer in SIGNET_CA_TIMEOUT_MS; retry after the given seconds',
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' }, required: true } },
      content: errorJson,
    },
  },
};
