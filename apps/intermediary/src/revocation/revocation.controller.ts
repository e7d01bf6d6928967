import { Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ErrorCode, isValidCaName, OCSP_REQUEST_MAX_BYTES, SignetError } from '@signet/contracts';
import { queryParam, type HttpRequest, type HttpResponse, type Query as QueryParams } from '@signet/http';
import { noteForAccessLog } from '../http/access-log';
import { CaCertificateEdgeService, CrlEdgeService, type CrlCopy } from './crl.service';
import { OcspEdgeService, type OcspAnswer } from './ocsp.service';

export const MEDIA = {
  crl: 'application/pkix-crl',
  cert: 'application/pkix-cert',
  pem: 'application/x-pem-file',
  ocspRequest: 'application/ocsp-request',
  ocspResponse: 'application/ocsp-response',
} as const;

/** `<ca>.crl` (base) or `<ca>+.crl` (delta: AD CS names delta CRLs with a trailing "+"). */
export const CRL_FILE = /^([a-z0-9][a-z0-9-]{0,62})(\+?)\.crl$/;
export const CERT_FILE = /^([a-z0-9][a-z0-9-]{0,62})\.(crt|cer)$/;

function notFound(what: string): SignetError {
  return new SignetError(ErrorCode.NotFound, `${what} not found`);
}

/** `?format=pem` or an Accept asking for PEM; DER otherwise (what relying parties fetch). */
function wantsPem(query: QueryParams, accept: string | undefined): boolean {
  const f = queryParam(query, 'format');
  if (f !== undefined && f !== 'pem' && f !== 'der') throw new SignetError(ErrorCode.BadMessage, 'format: must be der or pem', { field: 'format' });
  return f === 'pem' || (f === undefined && (accept ?? '').toLowerCase().includes(MEDIA.pem));
}

function pem(der: Buffer, label: string): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** If-None-Match / If-Modified-Since: nothing new for a client that has this version. */
function notModified(req: HttpRequest, etag: string, lastModified?: number): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return String(inm).split(',').some((t) => t.trim() === etag || t.trim() === '*');
  const ims = req.headers['if-modified-since'];
  if (ims && lastModified !== undefined) {
    const t = Date.parse(String(ims));
    return Number.isFinite(t) && Math.floor(lastModified / 1000) <= Math.floor(t / 1000);
  }
  return false;
}

/** Reads a raw request body up to `limit` bytes; undefined when it is larger (the rest is discarded). */
function readBody(req: HttpRequest, limit: number): Promise<Buffer | undefined> {
  if (req.body !== undefined) return Promise.resolve(undefined); // a parser (JSON) already took it: not DER
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else parts.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/**
 * Revocation status over plain HTTP (RFC 5280 CDP/AIA, RFC 6960/5019): CRLs,
 * the CA certificate for caIssuers, and the OCSP responder. Plain HTTP on
 * purpose: relying parties fetch these while validating a TLS certificate,
 * and everything served is signed.
 */
@Controller()
export class RevocationController {
  constructor(
    private readonly crls: CrlEdgeService,
    private readonly certs: CaCertificateEdgeService,
    private readonly ocsp: OcspEdgeService,
  ) {}

  @Get('crl/:file')
  async crl(@Param('file') file: string, @Query() query: QueryParams, @Headers('accept') accept: string | undefined, @Req() req: HttpRequest, @Res() res: HttpResponse) {
    const m = CRL_FILE.exec(file);
    if (!m) throw notFound(`CRL "${file.slice(0, 80)}"`);
    const [, ca, plus] = m;
    noteForAccessLog(res, { ca });
    const asPem = wantsPem(query, accept);
    const copy = await this.crls.get(ca, plus === '+');
    this.sendCrl(req, res, copy, asPem);
  }

  private sendCrl(req: HttpRequest, res: HttpResponse, copy: CrlCopy, asPem: boolean): void {
    const maxAge = Math.max(0, Math.floor((copy.nextUpdate - Date.now()) / 1000));
    // PEM and DER are different bodies: they get different tags, and caches keep them apart (Vary).
    const etag = asPem ? `${copy.etag.slice(0, -1)}-pem"` : copy.etag;
    res.set({
      ETag: etag,
      'Last-Modified': copy.lastModified,
      Expires: new Date(copy.nextUpdate).toUTCString(),
      'Cache-Control': `public, max-age=${maxAge}, no-transform`,
      Vary: 'Accept',
    });
    if (notModified(req, etag, copy.thisUpdate)) {
      res.status(304).end();
      return;
    }
    if (asPem) {
      copy.pem ??= pem(copy.der, 'X509 CRL');
      res.type(MEDIA.pem).send(copy.pem);
    } else {
      res.type(MEDIA.crl).send(copy.der);
    }
  }

  @Get('ca/:file')
  async caCertificate(@Param('file') file: string, @Query() query: QueryParams, @Headers('accept') accept: string | undefined, @Req() req: HttpRequest, @Res() res: HttpResponse) {
    const m = CERT_FILE.exec(file);
    if (!m) throw notFound(`certificate "${file.slice(0, 80)}"`);
    noteForAccessLog(res, { ca: m[1] });
    const asPem = wantsPem(query, accept);
    const cert = await this.certs.get(m[1]);
    const etag = asPem ? `${cert.etag.slice(0, -1)}-pem"` : cert.etag;
    res.set({ ETag: etag, 'Cache-Control': 'public, max-age=3600, no-transform', Vary: 'Accept' });
    if (notModified(req, etag)) {
      res.status(304).end();
      return;
    }
    if (asPem) res.type(MEDIA.pem).send(pem(cert.der, 'CERTIFICATE'));
    else res.type(MEDIA.cert).send(cert.der);
  }

  /** RFC 6960 A.1.1: POST with the DER request as body. */
  @Post('ocsp/:ca')
  async ocspPost(@Param('ca') ca: string, @Req() req: HttpRequest, @Res() res: HttpResponse) {
    const body = await readBody(req, OCSP_REQUEST_MAX_BYTES);
    const answer = !isValidCaName(ca) ? this.ocsp.unknownCa() : body === undefined ? this.ocsp.malformed() : await this.ocsp.respond(ca, body);
    // POST answers are not for shared caches (RFC 5019 5: caching is for GET).
    this.sendOcsp(res, answer, false);
  }

  /**
   * RFC 6960 A.1.1 / RFC 5019 5: GET {url}/{url-encoding of base64 of DER}.
   * A "/" of the base64 left unencoded splits the path; a middleware of the
   * module joins it back (see RevocationModule).
   */
  @Get('ocsp/:ca/:request')
  async ocspGet(@Param('ca') ca: string, @Param('request') encoded: string, @Res() res: HttpResponse) {
    if (!isValidCaName(ca)) return this.sendOcsp(res, this.ocsp.unknownCa(), false);
    const b64 = ocspGetBase64(encoded);
    if (b64 === undefined) return this.sendOcsp(res, this.ocsp.malformed(), false);
    this.sendOcsp(res, await this.ocsp.respond(ca, Buffer.from(b64, 'base64')), true);
  }

  private sendOcsp(res: HttpResponse, answer: OcspAnswer, get: boolean): void {
    res.set(ocspHeaders(answer, get));
    res.status(answer.httpStatus ?? 200).send(answer.der);
  }
}

/** RFC 5019 6.2 caching headers for a GET answer that may be cached; `no-store` for everything else. */
export function ocspHeaders(answer: OcspAnswer, get: boolean): Record<string, string> {
  const c = answer.cacheable;
  if (get && c) {
    return {
      'Content-Type': MEDIA.ocspResponse,
      'Last-Modified': c.lastModified,
      Expires: c.expires,
      ETag: c.etag,
      'Cache-Control': `max-age=${Math.max(0, Math.floor((c.nextUpdate - Date.now()) / 1000))}, public, no-transform, must-revalidate`,
    };
  }
  // Errors, nonce-bound answers and POSTs are for this client only.
  return { 'Content-Type': MEDIA.ocspResponse, 'Cache-Control': 'no-store' };
}

/** The base64 of an OCSP GET path segment, or undefined when it cannot be one. */
export function ocspGetBase64(encoded: string): string | undefined {
  const b64 = encoded.replace(/ /g, '+');
  if (b64.length > Math.ceil(OCSP_REQUEST_MAX_BYTES / 3) * 4 + 4 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  return b64;
}
