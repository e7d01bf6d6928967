import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { DiscoveryModule } from '../discovery/discovery.module';
import { CaCertificateEdgeService, CrlEdgeService } from './crl.service';
import { OcspEdgeService } from './ocsp.service';
import { RevocationClient } from './revocation.client';
import { loadRevocationEdgeConfig, REVOCATION_EDGE_CONFIG } from './revocation.config';
import { ocspGetBase64, ocspHeaders, RevocationController } from './revocation.controller';
import { RevocationEvents } from './revocation.events';

const OCSP_GET = /^\/ocsp\/([a-z0-9][a-z0-9-]{0,62})\/([^?]+)(\?.*)?$/;

/**
 * The OCSP GET fast path, a plain Express middleware in front of everything
 * else (registered while the module is built, i.e. before the access log
 * and the routes):
 *  - a GET whose answer is cached is answered right here, from memory — the
 *    hot path of a responder that relying parties hit thousands of times a
 *    second (docs/benchmarks.md, "Revocation"); such hits are not
 *    access-logged;
 *  - a GET whose base64 "/" was not URL-encoded (RFC 6960 asks for it, some
 *    clients do not) has its path joined back into one segment, so it
 *    reaches the documented route;
 *  - everything else goes on to RevocationController as usual.
 */
export function ocspFastPath(ocsp: OcspEdgeService) {
  return (req: IncomingMessage & { url?: string }, res: ServerResponse, next: () => void): void => {
    if (req.method !== 'GET' || !req.url?.startsWith('/ocsp/')) return next();
    const m = OCSP_GET.exec(req.url);
    if (!m) return next();
    let segment = m[2];
    if (segment.includes('/')) {
      segment = segment.replace(/\//g, '%2F');
      req.url = `/ocsp/${m[1]}/${segment}${m[3] ?? ''}`;
    }
    let b64: string | undefined;
    try {
      b64 = ocspGetBase64(decodeURIComponent(segment));
    } catch {
      b64 = undefined;
    }
    const hit = b64 === undefined ? undefined : ocsp.cachedAnswer(m[1], Buffer.from(b64, 'base64').toString('base64'));
    if (!hit) return next();
    res.writeHead(200, { ...ocspHeaders(hit, true), 'Content-Length': String(hit.der.length) });
    res.end(hit.der);
  };
}

/** CRL and CA certificate distribution (CDP, AIA) and the OCSP responder's HTTP edge. */
@Module({
  imports: [DiscoveryModule],
  controllers: [RevocationController],
  providers: [
    // Read at start: a bad value stops the process before it serves.
    { provide: REVOCATION_EDGE_CONFIG, useFactory: () => loadRevocationEdgeConfig() },
    RevocationClient,
    RevocationEvents,
    CrlEdgeService,
    CaCertificateEdgeService,
    OcspEdgeService,
  ],
  // The TLS client-certificate authenticator asks the issuing ca-core about a certificate it was shown.
  exports: [RevocationClient, CrlEdgeService],
})
export class RevocationModule {
  constructor(adapter: HttpAdapterHost, ocsp: OcspEdgeService) {
    // A plain Express middleware, not a Nest one: Nest registers path-bound
    // middleware as routes of their own (which the API document would then
    // have to describe), and after the app's own middleware.
    const express = adapter.httpAdapter?.getInstance() as { use?: (fn: ReturnType<typeof ocspFastPath>) => void } | undefined;
    express?.use?.(ocspFastPath(ocsp));
  }
}
