import { OCSP_REQUEST_MAX_BYTES } from '@signet/contracts';
import { type HeaderSpec, type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { CaPathSchema } from '../http/input';
import { CERT_FILE, CRL_FILE, MEDIA } from './revocation.controller';

/*
 * The plain-HTTP revocation routes (revocation.controller.ts): what the CDP
 * and AIA URLs in issued certificates point at. Their answers are DER (or
 * PEM) and OCSP statuses, never a 400 from a schema: the file names answer
 * 404 when they do not match, the OCSP routes malformedRequest.
 */

const binary = (mediaType: string, description: string) => z.string().meta({ description, contentMediaType: mediaType });

const text = (description: string): HeaderSpec => ({ description, schema: z.string() });
const cacheHeaders = {
  ETag: text('Validator; send it back in If-None-Match'),
  'Last-Modified': text('thisUpdate of the CRL'),
  Expires: text('nextUpdate of the CRL'),
  'Cache-Control': text('`public, max-age=<seconds until nextUpdate>, no-transform`'),
};

const FormatQuerySchema = z.object({
  format: z.enum(['der', 'pem']).optional().meta({ description: '`der` (default) or `pem`; `Accept: application/x-pem-file` asks for PEM too' }),
});

/** Base64 of at most OCSP_REQUEST_MAX_BYTES of DER, with room for padding (ocspGetBase64). */
const OCSP_GET_MAX_CHARS = Math.ceil(OCSP_REQUEST_MAX_BYTES / 3) * 4 + 4;

export const REVOCATION_ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/crl/{file}',
    operationId: 'getCrl',
    summary: "A CA's newest base CRL (`<ca>.crl`) or delta CRL (`<ca>+.crl`)",
    description: 'RFC 5280 CRL, DER by default. Cached by the intermediary and refreshed when the CA issues a new one. Conditional requests (If-None-Match, If-Modified-Since) get 304.',
    tags: ['revocation'],
    params: z.object({ file: z.string().regex(CRL_FILE).meta({ description: '`<ca>.crl` or `<ca>+.crl`' }) }),
    query: FormatQuerySchema,
    responses: {
      '200': {
        description: 'The CRL',
        headers: cacheHeaders,
        content: { [MEDIA.crl]: binary(MEDIA.crl, 'DER CertificateList'), [MEDIA.pem]: binary(MEDIA.pem, 'PEM `X509 CRL`') },
      },
      '304': { description: 'Not modified' },
      '400': 'BadMessage',
      '404': 'NotFound',
      '413': 'TooLarge',
      '500': 'Internal',
      '503': 'Unavailable',
    },
  },
  {
    method: 'get',
    path: '/ca/{file}',
    operationId: 'getCaCertificateFile',
    summary: 'The CA certificate as a file (`<ca>.crt`), for AIA caIssuers',
    tags: ['revocation'],
    params: z.object({ file: z.string().regex(CERT_FILE).meta({ description: '`<ca>.crt` or `<ca>.cer`' }) }),
    query: FormatQuerySchema,
    responses: {
      '200': {
        description: 'The certificate',
        content: { [MEDIA.cert]: binary(MEDIA.cert, 'DER Certificate'), [MEDIA.pem]: binary(MEDIA.pem, 'PEM `CERTIFICATE`') },
      },
      '304': { description: 'Not modified' },
      '400': 'BadMessage',
      '404': 'NotFound',
      '500': 'Internal',
      '503': 'Unavailable',
    },
  },
  {
    method: 'post',
    path: '/ocsp/{ca}',
    operationId: 'ocspPost',
    summary: 'OCSP responder (RFC 6960 A.1.1, POST)',
    description:
      "An OCSPResponse: 200 with successful (signed by the CA or its delegated responder), malformedRequest, unauthorized (not this CA's certificates), tryLater (the CA exists but does not answer), internalError; 404 with unauthorized when no CA of that name is known. POST answers are not cacheable.",
    tags: ['revocation'],
    params: z.object({ ca: CaPathSchema }),
    body: { required: true, content: { [MEDIA.ocspRequest]: binary(MEDIA.ocspRequest, `DER OCSPRequest, at most ${OCSP_REQUEST_MAX_BYTES} bytes`) } },
    responses: {
      '200': { description: 'An OCSPResponse', content: { [MEDIA.ocspResponse]: binary(MEDIA.ocspResponse, 'DER OCSPResponse') } },
      '404': { description: 'No CA of that name is known: an OCSPResponse with status unauthorized', content: { [MEDIA.ocspResponse]: binary(MEDIA.ocspResponse, 'DER OCSPResponse (unauthorized)') } },
    },
  },
  {
    method: 'get',
    path: '/ocsp/{ca}/{request}',
    operationId: 'ocspGet',
    summary: 'OCSP responder (RFC 6960 A.1.1 / RFC 5019 5, GET)',
    description:
      'The request is the URL-encoded base64 of the DER OCSPRequest (an unencoded "/" is tolerated). Answers without a nonce carry Last-Modified, Expires, ETag and `Cache-Control: max-age=…, public, no-transform, must-revalidate` and are served from cache until the status may have changed.',
    tags: ['revocation'],
    params: z.object({
      ca: CaPathSchema,
      request: z.string().max(OCSP_GET_MAX_CHARS).meta({ description: 'base64 of the DER OCSPRequest, URL-encoded' }),
    }),
    responses: {
      '200': {
        description: 'An OCSPResponse',
        headers: { 'Cache-Control': cacheHeaders['Cache-Control'] },
        content: { [MEDIA.ocspResponse]: binary(MEDIA.ocspResponse, 'DER OCSPResponse') },
      },
      '404': { description: 'No CA of that name is known: an OCSPResponse with status unauthorized', content: { [MEDIA.ocspResponse]: binary(MEDIA.ocspResponse, 'DER OCSPResponse (unauthorized)') } },
    },
  },
];
