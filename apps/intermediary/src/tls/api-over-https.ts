import { ErrorCode, SignetError } from '@signet/contracts';
import { type Middleware } from '@signet/http';
import { TLSSocket } from 'node:tls';

/**
 * What plain HTTP serves when the API is HTTPS only: revocation status,
 * CA certificates and health. An allowlist, not "everything but /api/":
 * Express matches routes case-insensitively, so `/API/v1/...` must not slip
 * through a prefix check.
 */
const PLAIN_HTTP_PREFIXES = ['/crl/', '/ocsp/', '/ca/'];
// SCEP protects its messages itself (the challengePassword travels encrypted to the RA), and its clients speak plain HTTP.
const PLAIN_HTTP_PATHS = ['/healthz', '/readyz', '/scep', '/cgi-bin/pkiclient.exe'];

export function servedOverPlainHttp(url: string): boolean {
  const path = url.split('?')[0].toLowerCase();
  return PLAIN_HTTP_PATHS.includes(path) || PLAIN_HTTP_PREFIXES.some((p) => path.startsWith(p));
}

/**
 * With SIGNET_HTTP_API off, the plain HTTP listener answers anything but
 * CRLs, OCSP, CA certificates and health with 404 and a pointer to HTTPS
 * (ADR 0029): enrollment credentials and certificates never cross the
 * network in the clear. Relying parties keep fetching revocation status
 * over http.
 */
export function apiOnlyOverHttps(apiOverHttp: boolean): Middleware {
  return (req, _res, next) => {
    if (apiOverHttp || req.socket instanceof TLSSocket || servedOverPlainHttp(req.url ?? '/')) return next();
    next(new SignetError(ErrorCode.NotFound, 'the API is served over HTTPS only; this listener serves /crl, /ocsp, /ca and health'));
  };
}
