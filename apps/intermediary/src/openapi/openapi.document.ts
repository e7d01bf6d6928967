import { CA_PROPERTY_NAMES, ERROR_CODES, LIMITS } from '@signet/contracts';
import { errorRef, json, paramRef, PEM_SCHEMA, ref, REQUEST_RESULT_SCHEMAS, type OpenApiDocument, type Response } from '@signet/http';
import { REVOCATION_PATHS, REVOCATION_TAG } from './revocation.paths';

const pem = PEM_SCHEMA;

const locationHeader = {
  Location: { description: 'Where to poll the request: `/api/v1/requests/{id}?ca={ca}`.', schema: { type: 'string' as const } },
};

const result = (disposition: string, description: string): Response => ({
  description,
  headers: locationHeader,
  content: json({ allOf: [ref('RequestResult'), { type: 'object', properties: { disposition: { const: disposition } } }] }),
});

/**
 * The intermediary's HTTP API. Written by hand next to the controllers; a
 * test checks that every route Nest registers is described here.
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Signet intermediary',
    version: '1.0.0',
    description:
      'The client-facing front door of a Signet CA (AD CS ICertConfig + ICertRequest over HTTP). ' +
      'Every error is `{code, message, details?}` JSON; the code is one of `ErrorCode` in @signet/contracts. ' +
      'Callers are anonymous for now (requester "anonymous").',
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  tags: [
    { name: 'enrollment', description: 'ICertRequest: submit and retrieve certificate requests' },
    { name: 'cas', description: 'ICertConfig and CA reads: which CAs exist, their certificates and properties' },
    { name: 'meta', description: 'Probes and this document' },
    REVOCATION_TAG,
  ],
  paths: {
    ...REVOCATION_PATHS,
    '/api/v1/requests': {
      post: {
        operationId: 'submitRequest',
        summary: 'Submit a PKCS#10 certificate request (ICertRequest::Submit)',
        description:
          'JSON body, or the raw request as `application/pkcs10` (DER, PEM or base64; CA from `?ca=`, attributes from `?attributes=`). ' +
          'The idempotency key may come from the `Idempotency-Key` header or the body; if both are sent they must be equal. ' +
          'A retry with the same key returns the first result. The intermediary checks shape and size only; the CA decodes and verifies the CSR.',
        tags: ['enrollment'],
        parameters: [
          paramRef('IdempotencyKey'),
          { name: 'ca', in: 'query', description: 'CA name; in JSON the body field `ca` may be used instead (both must agree). Default: the default CA.', schema: ref('CaName') },
          { name: 'attributes', in: 'query', description: 'Only with `application/pkcs10`: the AD CS attribute string (`name:value` lines).', schema: { type: 'string', maxLength: LIMITS.attributesChars } },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: ref('SubmitBody'), example: { csr: '-----BEGIN CERTIFICATE REQUEST-----\n…\n-----END CERTIFICATE REQUEST-----', attributes: { CertificateTemplate: 'WebServer' } } },
            'application/pkcs10': { schema: { type: 'string', description: 'DER (binary), PEM or base64 of the DER', contentMediaType: 'application/pkcs10' } },
          },
        },
        responses: {
          '200': result('revoked', 'An idempotent retry found the earlier request issued and since revoked.'),
          '201': result('issued', 'Issued: the body carries the certificate, chain and serial.'),
          '202': result('pending', 'Pending (held for an officer, or the policy module was unreachable): poll Location.'),
          '400': { description: 'Denied by policy (REQUEST_DENIED, with requestId and decidedBy), or a bad request: BAD_MESSAGE (names the field), MALFORMED_REQUEST, BAD_SIGNATURE, BAD_ATTRIBUTES.', content: json({ oneOf: [ref('RequestDenied'), ref('Error')] }) },
          '404': errorRef('UnknownCa'),
          '409': errorRef('Conflict'),
          '413': errorRef('TooLarge'),
          '415': errorRef('UnsupportedMediaType'),
          '500': { description: 'The request failed at the CA (REQUEST_FAILED, with requestId), or INTERNAL / LINT_FAILED.', content: json({ oneOf: [ref('RequestFailed'), ref('Error')] }) },
          '503': errorRef('Unavailable'),
        },
      },
    },
    '/api/v1/requests/{id}': {
      get: {
        operationId: 'retrieveRequest',
        summary: 'Status of an earlier request, with the certificate if issued (ICertRequest::RetrievePending)',
        tags: ['enrollment'],
        parameters: [
          { name: 'id', in: 'path', required: true, description: 'Request id from submit', schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
          { name: 'ca', in: 'query', description: 'CA name (default: the default CA)', schema: ref('CaName') },
        ],
        responses: {
          '200': { description: 'The request, whatever its disposition', content: json(ref('RequestResult')) },
          '400': errorRef('BadMessage'),
          '404': { description: 'NOT_FOUND (no such request) or UNKNOWN_CA', content: json(ref('Error')) },
          '500': errorRef('Internal'),
          '503': errorRef('Unavailable'),
        },
      },
    },
    '/api/v1/cas': {
      get: {
        operationId: 'listCas',
        summary: 'Every CA discovered on the bus and which one is the default (ICertConfig)',
        tags: ['cas'],
        responses: { '200': { description: 'The CAs, sorted by name', content: json(ref('CaList')) }, '500': errorRef('Internal') },
      },
    },
    '/api/v1/cas/default': {
      get: {
        operationId: 'getDefaultCa',
        summary: 'The default CA (CC_DEFAULTCONFIG): configured, else declared by a CA, else the first by name',
        tags: ['cas'],
        responses: { '200': { description: 'The default CA', content: json(ref('DefaultCa')) }, '500': errorRef('Internal'), '503': errorRef('Unavailable') },
      },
    },
    '/api/v1/cas/{ca}': {
      get: {
        operationId: 'getCa',
        summary: 'One CA record (ICertConfig::GetField)',
        tags: ['cas'],
        parameters: [paramRef('CaPath')],
        responses: { '200': { description: 'The CA record', content: json(ref('CaRecord')) }, '404': errorRef('UnknownCa'), '500': errorRef('Internal') },
      },
    },
    '/api/v1/cas/{ca}/certificate': {
      get: {
        operationId: 'getCaCertificate',
        summary: 'The CA certificate, optionally with its chain (ICertRequest::GetCACertificate)',
        description: 'JSON by default; PEM text with `?format=pem` or `Accept: application/pem-certificate-chain` (`format` wins).',
        tags: ['cas'],
        parameters: [
          paramRef('CaPath'),
          { name: 'chain', in: 'query', description: 'Include the chain up to the root (`true`/`false`)', schema: { type: 'string', enum: ['true', 'false', '1', '0'] } },
          { name: 'format', in: 'query', description: 'Answer format', schema: { type: 'string', enum: ['json', 'pem'] } },
        ],
        responses: {
          '200': {
            description: 'The certificate (and chain)',
            content: { ...json(ref('CaCertificate')), 'application/pem-certificate-chain': { schema: { type: 'string', description: 'The chain when asked for (CA certificate first), else the CA certificate' } } },
          },
          '400': errorRef('BadMessage'),
          '404': errorRef('UnknownCa'),
          '500': errorRef('Internal'),
          '503': errorRef('Unavailable'),
        },
      },
    },
    '/api/v1/cas/{ca}/properties': {
      get: {
        operationId: 'getCaProperties',
        summary: 'CA properties by AD CS name (ICertRequest::GetCAProperty)',
        tags: ['cas'],
        parameters: [
          paramRef('CaPath'),
          { name: 'names', in: 'query', description: 'Comma-separated property names (default: all)', schema: { type: 'string', examples: ['CAName,Templates'] } },
        ],
        responses: {
          '200': { description: 'The properties', content: json(ref('CaProperties')) },
          '400': errorRef('BadMessage'),
          '404': errorRef('UnknownCa'),
          '500': errorRef('Internal'),
          '503': errorRef('Unavailable'),
        },
      },
    },
    '/api/v1/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        tags: ['meta'],
        responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
      },
    },
    '/healthz': {
      get: {
        operationId: 'liveness',
        summary: 'The process is alive',
        tags: ['meta'],
        responses: { '200': { description: 'Alive', content: json({ type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] }) } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readiness',
        summary: 'The bus is connected and at least one CA is discovered',
        tags: ['meta'],
        responses: {
          '200': { description: 'Ready', content: json(ref('Readiness')) },
          '503': errorRef('Unavailable'),
        },
      },
    },
  },
  components: {
    parameters: {
      CaPath: { name: 'ca', in: 'path', required: true, description: 'CA name', schema: ref('CaName') },
      IdempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        description: 'Makes a retried submit return the first result. Must equal the body\'s `idempotencyKey` when both are sent.',
        schema: { type: 'string', minLength: 1, maxLength: LIMITS.idempotencyKeyChars, pattern: '^[\\x21-\\x7e]+$' },
      },
    },
    schemas: {
      ...REQUEST_RESULT_SCHEMAS,
      Error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: ERROR_CODES },
          message: { type: 'string' },
          details: { type: 'object', description: 'Structured detail, e.g. `field` for BAD_MESSAGE', additionalProperties: true },
        },
      },
      SubmitBody: {
        type: 'object',
        required: ['csr'],
        additionalProperties: false,
        properties: {
          csr: { type: 'string', minLength: 1, maxLength: LIMITS.requestChars, description: 'PKCS#10: PEM (`CERTIFICATE REQUEST` or `NEW CERTIFICATE REQUEST`) or base64 of the DER' },
          attributes: {
            description: 'AD CS request attributes: an object of name → value, or the AD CS string `name:value\\nname:value`',
            oneOf: [{ type: 'object', additionalProperties: { type: 'string' }, maxProperties: LIMITS.attributeCount }, { type: 'string', maxLength: LIMITS.attributesChars }],
          },
          ca: ref('CaName'),
          idempotencyKey: { type: 'string', minLength: 1, maxLength: LIMITS.idempotencyKeyChars, pattern: '^[\\x21-\\x7e]+$' },
        },
      },
      RequestDenied: {
        allOf: [ref('RequestResult'), { type: 'object', required: ['code'], properties: { code: { const: 'REQUEST_DENIED' }, disposition: { const: 'denied' } } }],
      },
      RequestFailed: {
        allOf: [ref('RequestResult'), { type: 'object', required: ['code'], properties: { code: { const: 'REQUEST_FAILED' }, disposition: { const: 'failed' } } }],
      },
      CaRecord: {
        type: 'object',
        required: ['name', 'config', 'commonName', 'sanitizedName', 'description', 'status', 'isDefault', 'certificate', 'notAfter', 'policy'],
        properties: {
          name: ref('CaName'),
          config: { type: 'string', description: 'AD CS config string `host\\CAName`' },
          commonName: { type: 'string' },
          sanitizedName: { type: 'string' },
          description: { type: 'string' },
          status: { type: 'string', enum: ['online', 'no-policy'] },
          isDefault: { type: 'boolean', description: 'The CA declares itself the default' },
          certificate: pem,
          notAfter: { type: 'string', format: 'date-time' },
          policy: { oneOf: [{ type: 'null' }, { type: 'object', required: ['name', 'version'], properties: { name: { type: 'string' }, version: { type: 'string' } } }] },
        },
      },
      DefaultChoice: {
        type: 'object',
        required: ['name', 'source', 'available'],
        properties: {
          name: ref('CaName'),
          source: { type: 'string', enum: ['configured', 'declared', 'first'], description: 'SIGNET_DEFAULT_CA, a CA declaring isDefault, or the first CA by name' },
          available: { type: 'boolean', description: 'The default CA was discovered' },
        },
      },
      CaList: {
        type: 'object',
        required: ['default', 'cas'],
        properties: { default: { oneOf: [ref('DefaultChoice'), { type: 'null' }] }, cas: { type: 'array', items: ref('CaRecord') } },
      },
      DefaultCa: {
        type: 'object',
        required: ['source', 'ca'],
        properties: { source: { type: 'string', enum: ['configured', 'declared', 'first'] }, ca: ref('CaRecord') },
      },
      CaCertificate: {
        type: 'object',
        required: ['ca', 'certificate'],
        properties: { ca: ref('CaName'), certificate: pem, chain: { type: 'array', items: pem, maxItems: 8, description: 'The CA certificate first, up to the root' } },
      },
      CaProperties: {
        type: 'object',
        required: ['ca', 'properties'],
        properties: {
          ca: ref('CaName'),
          properties: {
            type: 'object',
            description: `By AD CS name: ${CA_PROPERTY_NAMES.join(', ')}`,
            additionalProperties: { type: ['string', 'number', 'boolean', 'null', 'array'] },
          },
        },
      },
      Readiness: {
        type: 'object',
        required: ['status', 'bus', 'cas'],
        properties: { status: { const: 'ready' }, bus: { const: 'connected' }, cas: { type: 'integer', minimum: 1 } },
      },
    },
    responses: {
      BadMessage: { description: 'BAD_MESSAGE: a missing or invalid field, query parameter or id (`details.field` names it)', content: json(ref('Error')) },
      UnknownCa: { description: 'UNKNOWN_CA: no CA of that name answers discovery', content: json(ref('Error')) },
      Conflict: { description: 'IDEMPOTENCY_CONFLICT (same key, different request) or IN_PROGRESS (same key, still running; Retry-After)', content: json(ref('Error')) },
      TooLarge: { description: 'TOO_LARGE: the body exceeds SIGNET_BODY_LIMIT_BYTES, or the CSR or attributes exceed their limits', content: json(ref('Error')) },
      UnsupportedMediaType: { description: 'UNSUPPORTED_MEDIA_TYPE: Content-Type is neither application/json nor application/pkcs10', content: json(ref('Error')) },
      Internal: { description: 'INTERNAL: an unexpected fault (details are logged, never returned)', content: json(ref('Error')) },
      Unavailable: {
        description: 'CA_UNAVAILABLE (no CA answers, or it timed out) or POLICY_UNAVAILABLE; retry after the given seconds',
        headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' }, required: true } },
        content: json(ref('Error')),
      },
    },
  },
};
