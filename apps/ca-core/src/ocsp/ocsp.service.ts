import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, isSignetError, type OcspRespondReply } from '@signet/contracts';
import {
  buildOcspResponse,
  issuerHashes,
  ocspErrorResponse,
  parseOcspRequest,
  type IssuerHashes,
  type OcspCertId,
  type OcspCertStatus,
  type OcspRequestInfo,
} from '@signet/x509';
import { DataSource } from 'typeorm';
import { CaKeysService } from '../ca/ca-keys.service';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { Clock } from '../clock';
import { REVOCATION_CONFIG, type RevocationConfig } from '../crl/revocation-config';
import { OcspSignerService } from './ocsp-signer.service';

interface StatusRow {
  serial: string;
  revoked_at: Date | null;
  effective: Date | null;
  reason: number | null;
}

/** The status a certificate row gives at `now` (pure). */
export function statusOf(row: StatusRow | undefined, now: Date): OcspCertStatus {
  if (!row) return { kind: 'unknown' };
  if (row.revoked_at && row.effective && row.effective <= now) {
    // RFC 5280 5.3.1's advice for CRLs holds here too: no reason rather than "unspecified".
    return { kind: 'revoked', revokedAt: row.effective, ...(row.reason ? { reason: row.reason } : {}) };
  }
  return { kind: 'good' };
}

/**
 * OCSP responder logic (RFC 6960, RFC 5019 profile), where the key is.
 * The HTTP edge hands over the request bytes; the answer is the complete
 * OCSPResponse plus what the edge needs to cache it. Every CertID is
 * matched against this CA's issuer hashes (SHA-1, SHA-256/384/512):
 *  - none matches: `unauthorized` (RFC 5019 2.2.3: not our certificates);
 *  - a serial this CA never issued: `unknown`;
 *  - revoked (effective now): `revoked` with the time and reason;
 *  - else `good`.
 * Garbage is `malformedRequest`, never an exception.
 */
@Injectable()
export class OcspService {
  private hashes?: { der: Buffer; byAlg: Map<string, IssuerHashes> };

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    @Inject(REVOCATION_CONFIG) private readonly rc: RevocationConfig,
    private readonly ds: DataSource,
    private readonly keys: CaKeysService,
    private readonly responders: OcspSignerService,
    private readonly clock: Clock,
  ) {}

  private ours(id: OcspCertId): boolean {
    const der = this.keys.ca.certificateDer;
    if (this.hashes?.der !== der) this.hashes = { der, byAlg: issuerHashes(der) };
    const h = this.hashes.byAlg.get(id.hashAlgorithm);
    return !!h && h.nameHash.equals(id.issuerNameHash) && h.keyHash.equals(id.issuerKeyHash);
  }

  async respond(requestDer: Buffer): Promise<OcspRespondReply> {
    let info: OcspRequestInfo;
    try {
      info = parseOcspRequest(requestDer);
    } catch (e) {
      if (isSignetError(e) && (e.code === ErrorCode.MalformedRequest || e.code === ErrorCode.TooLarge)) return failure('malformedRequest');
      throw e;
    }
    const mine = info.certIds.map((id) => this.ours(id));
    // Foreign issuers answer the same way every time, so the edge may keep that too (unless a nonce binds it).
    if (!mine.some(Boolean)) return { ...failure('unauthorized'), cacheable: !info.nonce };

    const serials = [...new Set(info.certIds.filter((id, i) => mine[i] && id.serialHex).map((id) => id.serialHex!))];
    const rows: StatusRow[] = serials.length
      ? await this.ds.query(
          `SELECT serial, revoked_at, coalesce(revoked_effective_at, revoked_at) AS effective, revoked_reason AS reason
             FROM certificate WHERE ca_name = $1 AND serial = ANY($2::text[])`,
          [this.config.caName, serials],
        )
      : [];
    const bySerial = new Map(rows.map((r) => [r.serial, r]));

    // Status is judged at this instant; the response carries it cut to whole seconds.
    const instant = this.clock.now();
    const now = new Date(Math.floor(instant.getTime() / 1000) * 1000);
    const responder = await this.responders.responder(instant);
    let nextUpdate = new Date(Math.min(now.getTime() + this.rc.ocspValidityMs, responder.notAfter.getTime()));
    for (const r of rows) {
      // A revocation that takes effect later: "good" only until then.
      const eff = r.effective?.getTime();
      if (r.revoked_at && eff !== undefined && eff > instant.getTime() && eff < nextUpdate.getTime()) nextUpdate = new Date(Math.max(eff, now.getTime() + 1000));
    }
    const der = await buildOcspResponse({
      signer: responder.signer,
      certs: responder.certs,
      producedAt: now,
      nonce: info.nonce,
      responses: info.certIds.map((id, i) => ({
        certIdDer: id.der,
        status: mine[i] && id.serialHex ? statusOf(bySerial.get(id.serialHex), instant) : { kind: 'unknown' },
        thisUpdate: now,
        nextUpdate,
      })),
    });
    return {
      status: 'successful',
      response: der.toString('base64'),
      cacheable: !info.nonce,
      serials,
      producedAt: now.toISOString(),
      thisUpdate: now.toISOString(),
      nextUpdate: nextUpdate.toISOString(),
    };
  }
}

function failure(status: 'malformedRequest' | 'unauthorized' | 'internalError'): OcspRespondReply {
  return { status, response: ocspErrorResponse(status).toString('base64'), cacheable: false, serials: [] };
}
