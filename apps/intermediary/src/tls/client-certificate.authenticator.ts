import { Injectable } from '@nestjs/common';
import { ErrorCode, IdentitySchema, isSignetError, SignetError, type CaRecord, type Identity } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';
import { buildOcspRequest, decodeSubjectAltName, OID, parseCertificate, readOcspResponse } from '@signet/x509';
import { X509Certificate } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { type Authenticator } from '../auth/authenticator';
import { DiscoveryService } from '../discovery/discovery.service';
import { RevocationClient } from '../revocation/revocation.client';

/** Why a presented certificate proves nothing: the 401's message. */
function refused(reason: string, details?: Record<string, unknown>): SignetError {
  return new SignetError(ErrorCode.Unauthorized, `client certificate refused: ${reason}`, details);
}

/** The revocation status could not be learned: fail closed, and say it may work later. */
function unknownStatus(ca: string, why: string): SignetError {
  return new SignetError(ErrorCode.CaUnavailable, `cannot check the client certificate's revocation status at CA "${ca}": ${why}`, { ca });
}

/** A discovered CA certificate, or undefined for one that does not parse (it can issue nothing we could check). */
function parsed(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function issuedBy(peer: X509Certificate, cas: CaRecord[]): { record: CaRecord; der: Buffer } | undefined {
  for (const record of cas) {
    const issuer = parsed(record.certificate);
    if (issuer && peer.checkIssued(issuer) && peer.verify(issuer.publicKey)) return { record, der: issuer.raw };
  }
  return undefined;
}

/** Subject attributes an Identity carries: short names (CN, O, …); dotted OIDs and empty values are left out. */
const SUBJECT_TYPE = /^[A-Za-z][A-Za-z0-9]{0,15}$/;

/**
 * Method 1 of ADR 0026: a TLS client certificate issued by this CA proves
 * the names it carries (AD CS "renew with the existing certificate"). The
 * HTTPS listener asks for one and accepts any at the handshake; here it is
 * held to:
 *  1. issued by a CA on the bus (its signature verifies with a discovered
 *     CA certificate), and not itself a CA certificate;
 *  2. within its validity now;
 *  3. not revoked: the issuing ca-core's OCSP answer for it is `good`
 *     (asked every time, never cached, so a revocation counts at once;
 *     no answer is 503, never a pass).
 * A certificate that fails any check is a 401 with the reason, never
 * anonymous. No certificate, or plain HTTP: not this method (undefined).
 *
 * The identity: principal `<ca>/<serial>`, names the certificate's SANs,
 * subject its RDNs, evidence issuer, serial, notAfter and fingerprint.
 * `template` stays unset: Signet writes no template extension into the
 * certificates it issues (ADR 0029).
 */
@Injectable()
export class ClientCertificateAuthenticator implements Authenticator {
  readonly method = 'tls-client-certificate' as const;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly revocation: RevocationClient,
  ) {}

  async authenticate(req: HttpRequest): Promise<Identity | undefined> {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket)) return undefined;
    const peer = socket.getPeerX509Certificate();
    if (!peer) return undefined;
    return this.check(peer, new Date());
  }

  /** The checks, for a certificate however it arrived. */
  async check(peer: X509Certificate, now: Date): Promise<Identity> {
    if (peer.ca) throw refused('a CA certificate is not an enrollee credential');
    const ca = await this.issuerOf(peer);
    if (!ca) throw refused('not issued by a CA of this Signet', { issuer: peer.issuer.replace(/\n/g, ', ') });
    const notBefore = new Date(peer.validFrom);
    const notAfter = new Date(peer.validTo);
    const serial = peer.serialNumber.toLowerCase();
    if (now < notBefore) throw refused(`not valid before ${notBefore.toISOString()}`, { serial });
    if (now > notAfter) throw refused(`expired at ${notAfter.toISOString()}`, { serial });
    await this.notRevoked(ca, peer, serial);
    return this.identityOf(ca, peer, serial, notAfter);
  }

  /** The discovered CA that signed it; the bus is asked again before saying none (a CA may have joined, or missed a round). */
  private async issuerOf(peer: X509Certificate): Promise<{ record: CaRecord; der: Buffer } | undefined> {
    return issuedBy(peer, await this.discovery.list()) ?? issuedBy(peer, await this.discovery.refresh());
  }

  private async notRevoked(ca: { record: CaRecord; der: Buffer }, peer: X509Certificate, serial: string): Promise<void> {
    const name = ca.record.name;
    const query = buildOcspRequest(peer.raw, ca.der);
    let reply;
    try {
      reply = await this.revocation.ocsp(name, query.der);
    } catch (e) {
      throw unknownStatus(name, isSignetError(e) ? e.message : 'no answer');
    }
    if (reply.status !== 'successful') throw unknownStatus(name, `its responder answered ${reply.status}`);
    const single = readOcspResponse(Buffer.from(reply.response, 'base64')).responses.find((r) => r.certIdDer.equals(query.certIdDer));
    if (!single) throw unknownStatus(name, 'its answer is about another certificate');
    if (single.status.kind === 'revoked') throw refused(`revoked at ${single.status.revokedAt.toISOString()}`, { serial });
    if (single.status.kind === 'unknown') throw refused(`CA "${name}" does not know serial ${serial}`, { serial });
  }

  private identityOf(ca: { record: CaRecord }, peer: X509Certificate, serial: string, notAfter: Date): Identity {
    const parsed = parseCertificate(peer.raw);
    const san = parsed.extensions.find((e) => e.oid === OID.subjectAltName);
    let names: Identity['names'];
    try {
      names = san ? decodeSubjectAltName(san.value) : [];
    } catch (e) {
      throw refused(`its subjectAltName cannot be read (${(e as Error).message})`, { serial });
    }
    const subject = parsed.subject.filter((r) => SUBJECT_TYPE.test(r.type) && r.value !== '');
    const identity = IdentitySchema.safeParse({
      method: this.method,
      principal: `${ca.record.name}/${serial}`,
      names,
      ...(subject.length > 0 ? { subject } : {}),
      evidence: { issuer: ca.record.name, serial, notAfter: notAfter.toISOString(), sha256: parsed.sha256 },
    });
    if (!identity.success) throw refused('its names are not usable as an identity', { serial });
    return identity.data;
  }
}
