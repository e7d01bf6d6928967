import { errorRef, type PathItem, type Ref, type Schema } from '@signet/http';

const binary = (mediaType: string, description: string): { schema: Schema } => ({ schema: { type: 'string', description, contentMediaType: mediaType } });
const errorJson = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } as Ref } };

const cacheHeaders = {
  ETag: { description: 'Validator; send it back in If-None-Match', schema: { type: 'string' as const } },
  'Last-Modified': { description: 'thisUpdate of the CRL', schema: { type: 'string' as const } },
  Expires: { description: 'nextUpdate of the CRL', schema: { type: 'string' as const } },
  'Cache-Control': { description: '`public, max-age=<seconds until nextUpdate>, no-transform`', schema: { type: 'string' as const } },
};

const format = {
  name: 'format',
  in: 'query' as const,
  description: '`der` (default) or `pem`; `Accept: application/x-pem-file` asks for PEM too',
  schema: { type: 'string' as const, enum: ['der', 'pem'] },
};

export const REVOCATION_TAG = { name: 'revocation', description: 'Revocation status for relying parties: CRLs (CDP), the CA certificate (AIA caIssuers), OCSP (AIA OCSP)' };

/** Plain-HTTP revocation routes (src/revocation): what the CDP and AIA URLs in issued certificates point at. */
export const REVOCATION_PATHS: Record<string, PathItem> = {
  '/crl/{file}': {
    get: {
      operationId: 'getCrl',
      summary: "A CA's newest base CRL (`<ca>.crl`) or delta CRL (`<ca>+.crl`)",
      description: 'RFC 5280 CRL, DER by default. Cached by the intermediary and refreshed when the CA issues a new one. Conditional requests (If-None-Match, If-Modified-Since) get 304.',
      tags: ['revocation'],
      parameters: [{ name: 'file', in: 'path', required: true, description: '`<ca>.crl` or `<ca>+.crl`', schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}\\+?\\.crl$' } }, format],
      responses: {
        '200': {
          description: 'The CRL',
          headers: cacheHeaders,
          content: { 'application/pkix-crl': binary('application/pkix-crl', 'DER CertificateList'), 'application/x-pem-file': binary('application/x-pem-file', 'PEM `X509 CRL`') },
        },
        '304': { description: 'Not modified' },
        '400': errorRef('BadMessage'),
        '404': { description: 'NOT_FOUND: not a CRL file name, or the CA has not issued such a CRL yet', content: errorJson },
        '413': errorRef('TooLarge'),
        '500': errorRef('Internal'),
        '503': errorRef('Unavailable'),
      },
    },
  },
  '/ca/{file}': {
    get: {
      operationId: 'getCaCertificateFile',
      summary: 'The CA certificate as a file (`<ca>.crt`), for AIA caIssuers',
      tags: ['revocation'],
      parameters: [{ name: 'file', in: 'path', required: true, description: '`<ca>.crt` or `<ca>.cer`', schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}\\.(crt|cer)$' } }, format],
      responses: {
        '200': {
          description: 'The certificate',
          content: { 'application/pkix-cert': binary('application/pkix-cert', 'DER Certificate'), 'application/x-pem-file': binary('application/x-pem-file', 'PEM `CERTIFICATE`') },
        },
        '304': { description: 'Not modified' },
        '400': errorRef('BadMessage'),
        '404': { description: 'NOT_FOUND: not a certificate file name', content: errorJson },
        '500': errorRef('Internal'),
        '503': errorRef('Unavailable'),
      },
    },
  },
  '/ocsp/{ca}': {
    post: {
      operationId: 'ocspPost',
      summary: 'OCSP responder (RFC 6960 A.1.1, POST)',
      description: 'Every answer is 200 with an OCSPResponse: successful (signed by the CA or its delegated responder), or malformedRequest, unauthorized (not this CA\'s certificates), tryLater, internalError. POST answers are not cacheable.',
      tags: ['revocation'],
      parameters: [{ name: 'ca', in: 'path', required: true, description: 'CA name', schema: { $ref: '#/components/schemas/CaName' } }],
      requestBody: { required: true, content: { 'application/ocsp-request': binary('application/ocsp-request', 'DER OCSPRequest, at most 16 KiB') } },
      responses: { '200': { description: 'An OCSPResponse', content: { 'application/ocsp-response': binary('application/ocsp-response', 'DER OCSPResponse') } } },
    },
  },
  '/ocsp/{ca}/{request}': {
    get: {
      operationId: 'ocspGet',
      summary: 'OCSP responder (RFC 6960 A.1.1 / RFC 5019 5, GET)',
      description: 'The request is the URL-encoded base64 of the DER OCSPRequest (an unencoded "/" is tolerated). Answers without a nonce carry Last-Modified, Expires, ETag and `Cache-Control: max-age=…, public, no-transform, must-revalidate` and are served from cache until the status may have changed.',
      tags: ['revocation'],
      parameters: [
        { name: 'ca', in: 'path', required: true, description: 'CA name', schema: { $ref: '#/components/schemas/CaName' } },
        { name: 'request', in: 'path', required: true, description: 'base64 of the DER OCSPRequest, URL-encoded', schema: { type: 'string', maxLength: 21_852 } },
      ],
      responses: { '200': { description: 'An OCSPResponse', headers: { 'Cache-Control': cacheHeaders['Cache-Control'] }, content: { 'application/ocsp-response': binary('application/ocsp-response', 'DER OCSPResponse') } } },
    },
  },
};
