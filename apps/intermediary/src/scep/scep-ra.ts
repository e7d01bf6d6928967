import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ErrorCode, SignetError, type San } from '@signet/contracts';
import { createCsr, decodeCertificateText, generateKeyPair, toPem } from '@signet/x509';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { FrontDoorSigner } from '../auth/front-door-signer';
import { CaClient } from '../bus/ca-client';
import { selfEnrollmentSubmit } from '../tls/service-identity';
import { SCEP_CONFIG, SCEP_STORE, type ScepConfig } from './scep.config';
import { type ScepStateStore } from './scep.store';

/** The RA's certificate, the CA chain above it, and its key (a KeyObject: never exported, written or logged). */
export interface RaCredentials {
  certificate: Buffer;
  chain: Buffer[];
  privateKey: KeyObject;
  notAfter: number;
  renewAt: number;
}

interface Held {
  current?: RaCredentials;
  /** The one before a renewal: clients that fetched it shortly before may still encrypt to it. */
  previous?: RaCredentials;
  pending?: { requestId: number; retrievalSecret: string; key: KeyObject };
  inflight?: Promise<RaCredentials>;
}

/**
 * The SCEP registration authority (ADR 0040). A client encrypts its
 * pkcsPKIEnvelope to the certificate GetCACert gives it and checks the
 * CertRep's signature with it; the CA key stays in ca-core, so the
 * intermediary holds a certificate of its own for this, issued by the CA
 * like its TLS certificate (ADR 0029): an RSA key made here, a request
 * under the RA template as the `service` identity. The key is held in
 * memory only, or — with SIGNET_SCEP_DATABASE_URL — stored encrypted in the
 * `scep` schema, so every replica answers the same RA, across restarts.
 * Enrolled at the first SCEP request (so a CA that is not up yet costs
 * nothing at start), renewed after the configured part of its lifetime
 * (and, held in memory, after every restart). A request that pends (a
 * template with approval) is read back instead of asked again.
 */
@Injectable()
export class ScepRa {
  private readonly log = new Logger('ScepRa');
  private readonly held = new Map<string, Held>();

  constructor(
    @Inject(SCEP_CONFIG) private readonly config: ScepConfig,
    private readonly cas: CaClient,
    private readonly signer: FrontDoorSigner,
    @Optional() @Inject(SCEP_STORE) private readonly store?: ScepStateStore | null,
  ) {}

  /** The RA for `ca`, enrolling or renewing as needed; 503 CA_UNAVAILABLE while it has none. */
  async credentials(ca: string, now = Date.now()): Promise<RaCredentials> {
    const h = this.slot(ca);
    // Shared: what every replica answers is the newest stored RA (another replica may have renewed it).
    if (this.store) this.adopt(h, await this.store.latestRa(ca));
    const c = h.current;
    if (c && now < c.renewAt) return c;
    const next = this.enrollOnce(ca, h);
    if (c && now < c.notAfter) {
      next.catch((e: unknown) => this.log.warn(`renewing the SCEP RA certificate at CA "${ca}" failed: ${(e as Error)?.message ?? String(e)}`));
      return c;
    }
    return next;
  }

  /** The RA certificates a client may have encrypted to: the current one first. */
  all(ca: string): RaCredentials[] {
    const h = this.slot(ca);
    return [h.current, h.previous].filter((c): c is RaCredentials => c !== undefined);
  }

  private slot(ca: string): Held {
    let h = this.held.get(ca);
    if (!h) this.held.set(ca, (h = {}));
    return h;
  }

  private adopt(h: Held, stored: RaCredentials[]): void {
    if (stored[0]) h.current = stored[0];
    if (stored[1]) h.previous = stored[1];
  }

  private enrollOnce(ca: string, h: Held): Promise<RaCredentials> {
    h.inflight ??= (this.store ? this.enrollShared(ca, h, this.store) : this.enroll(ca, h)).finally(() => {
      h.inflight = undefined;
    });
    return h.inflight;
  }

  /**
   * Enrols under the store's lock, so one replica asks the CA and the others
   * find its certificate; the key is written encrypted. A request that pends
   * (an RA template with approval) is remembered by the replica that made it.
   */
  private enrollShared(ca: string, h: Held, store: ScepStateStore): Promise<RaCredentials> {
    return store.withRaLock(ca, async (tx) => {
      const stored = await store.latestRa(ca, tx);
      if (stored[0] && Date.now() < stored[0].renewAt) {
        this.adopt(h, stored);
        return stored[0];
      }
      const creds = await this.enroll(ca, h);
      await store.insertRa(tx, ca, creds);
      return creds;
    });
  }

  private async enroll(ca: string, h: Held): Promise<RaCredentials> {
    const names: San[] = [{ type: 'dns', value: this.config.ra.name }];
    let key: KeyObject;
    let result;
    if (h.pending) {
      key = h.pending.key;
      result = { ...(await this.cas.retrieve(ca, { requestId: h.pending.requestId, retrievalSecret: h.pending.retrievalSecret })), retrievalSecret: h.pending.retrievalSecret };
    } else {
      // RSA: SCEP clients encrypt to the RA with RSA key transport.
      key = generateKeyPair('rsa-2048').privateKey;
      const csr = await createCsr({ subject: [{ type: 'CN', value: this.config.ra.name }], sans: names, privateKey: key });
      result = await this.cas.submit(ca, await selfEnrollmentSubmit(this.signer, ca, toPem(csr, 'CERTIFICATE REQUEST'), names, this.config.ra.template));
    }
    if (result.disposition === 'pending') {
      h.pending = { requestId: result.requestId, retrievalSecret: result.retrievalSecret, key };
      throw new SignetError(ErrorCode.CaUnavailable, `the SCEP RA certificate (request ${result.requestId} at CA "${ca}") waits for a certificate manager's approval`, { ca }, true);
    }
    h.pending = undefined;
    if (result.disposition !== 'issued' || !result.certificate) {
      throw new SignetError(ErrorCode.CaUnavailable, `CA "${ca}" answered the SCEP RA certificate request ${result.requestId} ${result.disposition}: ${result.message}`, { ca });
    }
    const certificate = decodeCertificateText(result.certificate);
    const x = new X509Certificate(certificate);
    if (!x.checkPrivateKey(key)) throw new SignetError(ErrorCode.Internal, 'the SCEP RA certificate does not belong to its key');
    const notBefore = Date.parse(x.validFrom);
    const notAfter = Date.parse(x.validTo);
    const creds: RaCredentials = {
      certificate,
      chain: (result.chain ?? []).map((p) => decodeCertificateText(p)),
      privateKey: key,
      notAfter,
      renewAt: notBefore + (notAfter - notBefore) * this.config.ra.renewFraction,
    };
    if (h.current) h.previous = h.current;
    h.current = creds;
    this.log.log(`SCEP RA certificate ${x.serialNumber.toLowerCase()} for ${this.config.ra.name} from CA "${ca}", valid until ${x.validTo}`);
    return creds;
  }
}
