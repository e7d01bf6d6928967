import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, isSignetError, OCSP_REQUEST_MAX_BYTES } from '@signet/contracts';
import { createHash } from 'node:crypto';
import { OcspCache, type CachedOcsp } from './ocsp-cache';
import { RevocationClient, UnknownCaError } from './revocation.client';
import { REVOCATION_EDGE_CONFIG, type RevocationEdgeConfig } from './revocation.config';
import { RevocationEvents } from './revocation.events';

/** OCSPResponseStatus without responseBytes (RFC 6960 4.2.1): SEQUENCE { ENUMERATED n }. */
const BARE_STATUS = {
  malformedRequest: Buffer.from('30030a0101', 'hex'),
  internalError: Buffer.from('30030a0102', 'hex'),
  tryLater: Buffer.from('30030a0103', 'hex'),
  unauthorized: Buffer.from('30030a0106', 'hex'),
} as const;

export interface OcspAnswer {
  der: Buffer;
  /** Set when the response may be cached by HTTP caches too (RFC 5019 6). */
  cacheable?: CachedOcsp;
  /** The HTTP status: 200 (errors are in band), but 404 when no such CA exists. */
  httpStatus?: 404;
}

const httpDate = (iso: string) => new Date(iso).toUTCString();

/**
 * The OCSP responder's HTTP edge: answers from its cache when it can, else
 * asks ca-core (which signs) and keeps cacheable answers. It never parses
 * the ASN.1 itself — the request bytes are the cache key — so a malformed
 * request costs one bus call and is answered by ca-core with
 * malformedRequest. Bus trouble becomes tryLater / internalError, in band,
 * as RFC 6960 wants.
 */
@Injectable()
export class OcspEdgeService {
  private readonly log = new Logger('Ocsp');
  private readonly cache: OcspCache;
  private readonly inflight = new Map<string, Promise<OcspAnswer>>();

  constructor(
    @Inject(REVOCATION_EDGE_CONFIG) config: RevocationEdgeConfig,
    private readonly client: RevocationClient,
    private readonly events: RevocationEvents,
  ) {
    this.cache = new OcspCache(config.ocspCacheMaxEntries, config.ocspCacheTtlMs);
    events.certificateChanged((ca, serial) => this.cache.invalidate(ca, serial));
  }

  /** What the cache holds (for tests and metrics). */
  get cached(): number {
    return this.cache.size;
  }

  malformed(): OcspAnswer {
    return { der: BARE_STATUS.malformedRequest };
  }

  /**
   * No CA of that name (or no possible one): 404, with RFC 6960's
   * `unauthorized` (not authoritative for it) as the body, so an OCSP client
   * that reads the body learns the same as one that reads the status.
   */
  unknownCa(): OcspAnswer {
    return { der: BARE_STATUS.unauthorized, httpStatus: 404 };
  }

  /** A cached answer for exactly these request bytes (base64), without any I/O. */
  cachedAnswer(ca: string, requestBase64: string): OcspAnswer | undefined {
    const hit = this.cache.get(ca, requestBase64);
    return hit ? { der: hit.der, cacheable: hit } : undefined;
  }

  async respond(ca: string, der: Buffer): Promise<OcspAnswer> {
    if (der.length === 0 || der.length > OCSP_REQUEST_MAX_BYTES) return this.malformed();
    const key = der.toString('base64');
    const hit = this.cachedAnswer(ca, key);
    if (hit) return hit;
    // Identical requests arriving together share one trip to the CA.
    const flightKey = `${ca} ${key}`;
    let p = this.inflight.get(flightKey);
    if (!p) {
      p = this.fetch(ca, der, key).finally(() => this.inflight.delete(flightKey));
      this.inflight.set(flightKey, p);
    }
    return p;
  }

  private async fetch(ca: string, der: Buffer, key: string): Promise<OcspAnswer> {
    const epoch = this.cache.epoch(ca);
    let reply;
    try {
      reply = await this.client.ocsp(ca, der);
    } catch (e) {
      if (e instanceof UnknownCaError) return this.unknownCa();
      if (isSignetError(e) && e.code === ErrorCode.CaUnavailable) return { der: BARE_STATUS.tryLater };
      if (isSignetError(e) && (e.code === ErrorCode.BadMessage || e.code === ErrorCode.TooLarge)) return this.malformed();
      this.log.warn(`OCSP for ${ca} failed: ${(e as Error).message}`);
      return { der: BARE_STATUS.internalError };
    }
    const out = Buffer.from(reply.response, 'base64');
    if (!(reply.status === 'successful' && reply.cacheable && reply.nextUpdate && reply.producedAt)) return { der: out };
    await this.events.follow(ca);
    const entry = {
      der: out,
      etag: `"${createHash('sha256').update(out).digest('base64url').slice(0, 27)}"`,
      lastModified: httpDate(reply.producedAt),
      expires: httpDate(reply.nextUpdate),
      nextUpdate: Date.parse(reply.nextUpdate),
      serials: reply.serials,
    };
    this.cache.put(ca, key, entry, epoch);
    return { der: out, cacheable: { ...entry, until: entry.nextUpdate } };
  }
}
