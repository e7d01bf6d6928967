import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, isSignetError, type Identity, type RevocationProof } from '@signet/contracts';
import { certificateNames, parseCertificate } from '@signet/x509';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { FrontDoorSigner } from '../auth/front-door-signer';
import { CaClient } from '../bus/ca-client';
import { DiscoveryService } from '../discovery/discovery.service';
import { type AcmeAnswer } from './acme.answer';
import { type AcmeConfig } from './acme.config';
import { type AcmeStore } from './acme.store';
import { ACME_CONFIG, ACME_STORE } from './acme.tokens';
import { authenticate, type AcmeHttpRequest } from './acme-request';
import { publicJwk, thumbprint } from './jws';
import { AcmeProblem } from './problem';

/** RFC 5280 reasons an ACME client may give: not certificateHold (6), removeFromCRL (8) or the attribute-authority ones. */
export const ACME_REVOCATION_REASONS = [0, 1, 3, 4, 5, 9] as const;
const MAX_CERTIFICATE_BYTES = 16_384;

/**
 * revokeCert (RFC 8555 7.6), through ca-core's enrollee revocation
 * (`ca.<ca>.request.revoke`): signed with the account key (`kid`), for a
 * certificate this account's order received or whose every name the
 * account holds a valid authorisation for; or with the certificate's own
 * key (`jwk`), by anyone holding it. ca-core checks again that the
 * certificate is the one presented (its hash) and that the account
 * requested it, or that the names it proved cover the certificate's.
 */
@Injectable()
export class AcmeRevocationService {
  private readonly log = new Logger('Acme');

  constructor(
    @Inject(ACME_STORE) private readonly store: AcmeStore,
    @Inject(ACME_CONFIG) private readonly config: AcmeConfig,
    private readonly discovery: DiscoveryService,
    private readonly cas: CaClient,
    private readonly signer: FrontDoorSigner,
  ) {}

  async revokeCert(req: AcmeHttpRequest): Promise<AcmeAnswer> {
    const auth = await authenticate(this.store, this.config, req, 'either');
    const p = auth.payload ?? {};
    if (typeof p.certificate !== 'string' || !/^[A-Za-z0-9_-]+$/.test(p.certificate) || p.certificate.length > (MAX_CERTIFICATE_BYTES * 4) / 3) {
      throw new AcmeProblem('malformed', 'certificate must be base64url DER');
    }
    const reason = p.reason === undefined ? 0 : p.reason;
    if (typeof reason !== 'number' || !(ACME_REVOCATION_REASONS as readonly number[]).includes(reason)) {
      throw new AcmeProblem('badRevocationReason', `reason must be one of ${ACME_REVOCATION_REASONS.join(', ')}`);
    }
    const der = Buffer.from(p.certificate, 'base64url');
    let cert;
    try {
      cert = parseCertificate(der);
    } catch {
      throw new AcmeProblem('malformed', 'certificate cannot be decoded');
    }
    const order = await this.store.orderBySerial(cert.serialHex);
    let identity: Identity;
    let proof: RevocationProof;
    if (auth.account) {
      const evidence = { ...(auth.account.eabKid ? { eabKid: auth.account.eabKid } : {}) };
      if (order && order.accountId === auth.account.id && order.ca) {
        identity = { method: 'acme-account', principal: req.urls.account(auth.account.id), names: [], groups: [], evidence };
        proof = 'requester';
      } else {
        // RFC 8555 7.6's third way: an account authorised for every name of the certificate.
        const names = namesOf(der);
        if (!names?.length || !(await this.store.holdsAuthorizations(auth.account.id, names))) {
          throw new AcmeProblem('unauthorized', 'this account neither ordered this certificate nor holds valid authorizations for all its names');
        }
        identity = { method: 'acme-account', principal: req.urls.account(auth.account.id), names, groups: [], evidence };
        proof = 'authorizations';
      }
    } else {
      let jwkSpki: Buffer;
      try {
        jwkSpki = createPublicKey({ key: publicJwk(auth.jwk) as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'der' });
      } catch {
        throw new AcmeProblem('badPublicKey', 'the key in "jwk" cannot be used');
      }
      if (!jwkSpki.equals(cert.spki)) throw new AcmeProblem('unauthorized', "the request is not signed with the certificate's key");
      identity = { method: 'anonymous', principal: 'anonymous', names: [], groups: [], evidence: { certificateKeyThumbprint: await thumbprint(auth.jwk) } };
      proof = 'certificate-key';
    }
    const ca = order?.ca ?? (await this.discovery.resolve(this.config.ca)).name;
    const claims = { serial: cert.serialHex, reason, proof, certificateSha256: cert.sha256 };
    try {
      await this.cas.revoke(ca, { serial: cert.serialHex, reason, identityAssertion: await this.signer.revoke(ca, identity, claims) });
    } catch (e) {
      if (isSignetError(e) && e.code === ErrorCode.WrongState) throw new AcmeProblem('alreadyRevoked', 'the certificate is already revoked');
      if (isSignetError(e) && e.code === ErrorCode.NotFound) throw new AcmeProblem('unauthorized', 'the CA knows no such certificate for this requester');
      throw e;
    }
    this.log.log(`certificate ${cert.serialHex} revoked at CA ${ca} (reason ${reason}, ${proof})`);
    return { status: 200, headers: {}, body: '' };
  }
}

/** The certificate's names, or undefined when it has one no authorisation covers (or one that does not decode). */
function namesOf(der: Buffer) {
  try {
    return certificateNames(der);
  } catch {
    return undefined;
  }
}
