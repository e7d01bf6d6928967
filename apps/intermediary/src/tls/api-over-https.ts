import { ErrorCode, SignetError } from '@signet/contracts';
import { type Middleware } from '@signet/http';
import { TLSSocket } from 'node:tls';

/** Where the JSON API lives; everything else (CRLs, OCSP, CA certificates, health) is served on both listeners. */
const API_PREFIX = '/api/';

/**
 * With SIGNET_HTTP_API off, the plain HTTP listener answers the API with
 * 404 and a pointer to HTTPS (ADR 0029): enrollment credentials and
 * certificates never cross the network in the clear. Relying parties keep
 * fetching CRLs, OCSP answers and CA certificates over http.
 */
export function apiOnlyOverHttps(apiOverHttp: boolean): Middleware {
  return (req, _res, next) => {
    if (apiOverHttp || req.socket instanceof TLSSocket || !(req.url ?? '').startsWith(API_PREFIX)) return next();
    next(new SignetError(ErrorCode.NotFound, 'the API is served over HTTPS only; this listener serves /crl, /ocsp, /ca and health'));
  };
}
