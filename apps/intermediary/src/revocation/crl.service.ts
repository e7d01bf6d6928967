import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, SignetError, type CrlFetchReply } from '@signet/contracts';
import { createHash } from 'node:crypto';
import { RevocationClient } from './revocation.client';
import { REVOCATION_EDGE_CONFIG, type RevocationEdgeConfig } from './revocation.config';
import { RevocationEvents } from './revocation.events';

/** A CRL as the edge serves it. */
export interface CrlCopy {
  number: number;
  der: Buffer;
  etag: string;
  /** thisUpdate, as an HTTP date and in ms. */
  lastModified: string;
  thisUpdate: number;
  nextUpdate: number;
  /** When ca-core last confirmed this is its newest. */
  checkedAt: number;
  stale: boolean;
  pem?: string;
}

/**
 * The newest base and delta CRL of each CA, held in memory and served to
 * any number of relying parties. A copy is refreshed when ca-core announces
 * a new CRL (crl.issued), when it reaches nextUpdate, and otherwise checked
 * every SIGNET_CRL_CHECK_SECONDS with a metadata-only call. Fetching is in
 * slices (a CRL may be tens of MB) and checked against the SHA-256 ca-core
 * gives. When ca-core cannot be reached, the copy in hand is still served:
 * a CRL is signed and dated, clients judge its freshness themselves.
 */
@Injectable()
export class CrlEdgeService {
  private readonly log = new Logger('Crl');
  private readonly copies = new Map<string, CrlCopy>();
  private readonly inflight = new Map<string, Promise<CrlCopy>>();

  constructor(
    @Inject(REVOCATION_EDGE_CONFIG) private readonly config: RevocationEdgeConfig,
    private readonly client: RevocationClient,
    private readonly events: RevocationEvents,
  ) {
    events.crlIssued((ca) => {
      for (const delta of [false, true]) {
        const c = this.copies.get(CrlEdgeService.key(ca, delta));
        if (c) c.stale = true;
      }
    });
  }

  private static key(ca: string, delta: boolean): string {
    return `${ca}${delta ? '+' : ''}`;
  }

  async get(ca: string, delta: boolean, now = Date.now()): Promise<CrlCopy> {
    const key = CrlEdgeService.key(ca, delta);
    const c = this.copies.get(key);
    if (c && !c.stale && now < c.nextUpdate && now - c.checkedAt < this.config.crlCheckMs) return c;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.refresh(ca, delta, c).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async refresh(ca: string, delta: boolean, current: CrlCopy | undefined): Promise<CrlCopy> {
    try {
      await this.events.follow(ca);
      const first = await this.client.crl(ca, { delta, metaOnly: current !== undefined });
      if (current && first.number === current.number) {
        current.checkedAt = Date.now();
        current.stale = false;
        return current;
      }
      const fresh = await this.download(ca, delta, first);
      this.copies.set(CrlEdgeService.key(ca, delta), fresh);
      this.log.log(`${delta ? 'delta' : 'base'} CRL ${fresh.number} of ${ca}: ${fresh.der.length} bytes`);
      return fresh;
    } catch (e) {
      if (current && !(e instanceof SignetError && e.code === ErrorCode.NotFound)) {
        this.log.warn(`cannot refresh the ${delta ? 'delta' : 'base'} CRL of ${ca}, serving number ${current.number}: ${(e as Error).message}`);
        return current;
      }
      throw e;
    }
  }

  private async download(ca: string, delta: boolean, first: CrlFetchReply): Promise<CrlCopy> {
    if (first.size > this.config.crlMaxBytes) {
      throw new SignetError(ErrorCode.TooLarge, `the CRL of ${ca} is ${first.size} bytes, above SIGNET_CRL_MAX_BYTES`);
    }
    const der = Buffer.allocUnsafe(first.size);
    let got = first.chunk ? Buffer.from(first.chunk, 'base64').copy(der, 0) : 0;
    while (got < first.size) {
      const next = await this.client.crl(ca, { delta, number: first.number, offset: got });
      const part = Buffer.from(next.chunk, 'base64');
      if (part.length === 0 || next.sha256 !== first.sha256) throw new SignetError(ErrorCode.Internal, `CRL ${first.number} of ${ca} changed while it was fetched`);
      got += part.copy(der, got);
    }
    const sha = createHash('sha256').update(der).digest('hex');
    if (sha !== first.sha256) throw new SignetError(ErrorCode.Internal, `CRL ${first.number} of ${ca} arrived corrupted`);
    return {
      number: first.number,
      der,
      etag: `"${first.sha256.slice(0, 32)}"`,
      lastModified: new Date(first.thisUpdate).toUTCString(),
      thisUpdate: Date.parse(first.thisUpdate),
      nextUpdate: Date.parse(first.nextUpdate),
      checkedAt: Date.now(),
      stale: false,
    };
  }
}

/** The CA certificate for AIA caIssuers, DER, kept a while (it changes only with a CA renewal). */
@Injectable()
export class CaCertificateEdgeService {
  private readonly copies = new Map<string, { der: Buffer; etag: string; at: number }>();
  static readonly TTL_MS = 300_000;

  constructor(private readonly client: RevocationClient) {}

  async get(ca: string, now = Date.now()): Promise<{ der: Buffer; etag: string }> {
    const c = this.copies.get(ca);
    if (c && now - c.at < CaCertificateEdgeService.TTL_MS) return c;
    const reply = await this.client.caCertificate(ca);
    const der = Buffer.from(reply.certificate.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const fresh = { der, etag: `"${createHash('sha256').update(der).digest('hex').slice(0, 32)}"`, at: now };
    if (this.copies.size < 256 || c) this.copies.set(ca, fresh);
    return fresh;
  }
}
