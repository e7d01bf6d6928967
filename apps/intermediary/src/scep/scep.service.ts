import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ErrorCode, SignetError, type Identity, type RequestResult } from '@signet/contracts';
import {
  buildScepCertRep,
  decodeCertificateText,
  failInfoOf,
  openScepEnvelope,
  readScepRequest,
  scepCertsOnly,
  scepCsrInfo,
  scepIssuerAndSerial,
  scepIssuerAndSubject,
  ScepMessageType,
  splitCertificate,
  toPem,
  type OpenedEnvelope,
  type ScepCipher,
  type ScepFailInfo,
  type ScepSignedRequest,
} from '@signet/x509';
import { X509Certificate } from 'node:crypto';
import { EnrollmentSecretAuthenticator } from '../auth/enrollment-secret.authenticator';
import { FrontDoorSigner } from '../auth/front-door-signer';
import { CaClient } from '../bus/ca-client';
import { DiscoveryService } from '../discovery/discovery.service';
import { CrlEdgeService } from '../revocation/crl.service';
import { ClientCertificateAuthenticator } from '../tls/client-certificate.authenticator';
import { ScepRa } from './scep-ra';
import { SCEP_CONFIG, SCEP_STORE, type ScepConfig } from './scep.config';
import { type ScepStateStore } from './scep.store';
import { MemoryTransactions, transactionKey, type PendingTransactions } from './transactions';

export const SCEP_MESSAGE_MEDIA_TYPE = 'application/x-pki-message';

/** One HTTP answer of the SCEP front door. */
export interface ScepAnswer {
  contentType: string;
  body: Buffer | string;
  ca: string;
  /** For the access log. */
  requestId?: number;
}

/** A CertRep FAILURE to send, with why (for the log; the client sees only failInfo). */
class Refusal extends Error {
  constructor(
    readonly failInfo: ScepFailInfo,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The SCEP operations (RFC 8894 3.5, 4) onto the same submit → policy →
 * pend/issue flow as the JSON API: the challengePassword is an enrollment
 * secret (ADR 0032), a RenewalReq's signer certificate is checked like a
 * TLS client certificate (ADR 0029), and ca-core gets the identity signed
 * by the front door (ADR 0026). What cannot be read at all is a 400; what
 * can is answered with a CertRep, FAILURE with a failInfo when refused.
 */
@Injectable()
export class ScepService {
  private readonly log = new Logger('Scep');
  private readonly transactions: PendingTransactions;

  constructor(
    @Inject(SCEP_CONFIG) private readonly config: ScepConfig,
    private readonly discovery: DiscoveryService,
    private readonly cas: CaClient,
    private readonly signer: FrontDoorSigner,
    private readonly ra: ScepRa,
    private readonly secrets: EnrollmentSecretAuthenticator,
    private readonly clientCertificates: ClientCertificateAuthenticator,
    private readonly crls: CrlEdgeService,
    @Optional() @Inject(SCEP_STORE) store?: ScepStateStore | null,
  ) {
    this.transactions = store ?? new MemoryTransactions(config.pending);
    if (config.allowSingleDes) {
      this.log.warn(
        'SIGNET_SCEP_ALLOW_SINGLE_DES=true: single-DES (56-bit) request envelopes are accepted; one who records and breaks one learns its CSR and its challenge password (spent by then). Not advertised in GetCACaps; answers are sealed with AES (ADR 0040)',
      );
    }
  }

  /** The CA SCEP enrolls with: the configured one, else the default. */
  async ca(): Promise<{ name: string; certificate: Buffer }> {
    const rec = await this.discovery.resolve(this.config.ca);
    return { name: rec.name, certificate: decodeCertificateText(rec.certificate) };
  }

  /**
   * GetCACaps (RFC 8894 3.5.2): one capability per line, each one we honour.
   * SHA-384 is listed too (requests may use it): strongSwan 5.9's pki tests
   * its capability bits off by one, and reads SHA-256 and AES support from
   * the SHA-384 line (ADR 0040).
   */
  capabilities(): string {
    return ['AES', ...(this.config.legacy ? ['DES3'] : []), 'POSTPKIOperation', 'Renewal', 'SHA-256', 'SHA-384', 'SHA-512', 'SCEPStandard'].join('\n') + '\n';
  }

  /** GetCACert (RFC 8894 4.2): the RA certificate and the CA as a certs-only bundle (the RA is always there: the CA key is not). */
  async caCertificates(): Promise<ScepAnswer> {
    const ca = await this.ca();
    const ra = await this.ra.credentials(ca.name);
    return { contentType: 'application/x-x509-ca-ra-cert', body: scepCertsOnly([ra.certificate, ca.certificate]), ca: ca.name };
  }

  /** PKIOperation: a CertRep for the message, or a SignetError (400) for one that is no SCEP message. */
  async pkiOperation(der: Buffer, source: string): Promise<ScepAnswer> {
    const signed = readScepRequest(der);
    const ca = await this.ca();
    const ra = await this.ra.credentials(ca.name);
    const reply = { signer: { certificate: ra.certificate, chain: ra.chain, privateKey: ra.privateKey }, transactionId: signed.transactionId, recipientNonce: signed.senderNonce, digest: signed.digest };
    const answer = (body: Buffer, requestId?: number): ScepAnswer => ({ contentType: SCEP_MESSAGE_MEDIA_TYPE, body, ca: ca.name, ...(requestId !== undefined ? { requestId } : {}) });
    try {
      if (!signed.signatureValid) throw new Refusal('badMessageCheck', 'the message signature does not verify');
      const opened = this.open(signed, ca.name);
      // The answer is sealed with the cipher the client used: it showed it has it.
      // Single DES (an opt-in) is answered with AES-128: micromdm scepclient 2.1.0, the client it is for, decrypts it (ADR 0040).
      const cipher: ScepCipher = opened.cipher === 'des-cbc' ? 'aes-128-cbc' : opened.cipher;
      const outcome = await this.operate(signed, opened.content, ca, source);
      if (outcome.status === 'PENDING') return answer(buildScepCertRep({ ...reply, status: 'PENDING' }), outcome.requestId);
      return answer(
        buildScepCertRep({ ...reply, status: 'SUCCESS', success: { certificates: outcome.certificates, crls: outcome.crls, recipient: signed.signerCertificate, cipher } }),
        outcome.requestId,
      );
    } catch (e) {
      const refusal = e instanceof Refusal ? e : failInfoOf(e) ? new Refusal(failInfoOf(e)!, (e as Error).message) : contentProblem(e);
      if (!refusal) throw e;
      this.log.warn(`SCEP transaction ${printable(signed.transactionId)} from ${source}: FAILURE ${refusal.failInfo}: ${refusal.message}`);
      return answer(buildScepCertRep({ ...reply, status: 'FAILURE', failInfo: refusal.failInfo }));
    }
  }

  /** The envelope's content, opened with the RA certificate the client encrypted to (the current one, or the one before a renewal). */
  private open(signed: ScepSignedRequest, ca: string): OpenedEnvelope {
    if (!signed.envelope || signed.envelope.length === 0) throw new Refusal('badMessageCheck', 'the message has no pkcsPKIEnvelope');
    let last: unknown;
    for (const ra of this.ra.all(ca)) {
      try {
        return openScepEnvelope(signed.envelope, ra, { allowDes3: this.config.legacy, allowSingleDes: this.config.allowSingleDes });
      } catch (e) {
        last = e;
        if (failInfoOf(e) !== 'badMessageCheck') break;
      }
    }
    throw last;
  }

  private async operate(
    signed: ScepSignedRequest,
    content: Buffer,
    ca: { name: string; certificate: Buffer },
    source: string,
  ): Promise<{ status: 'PENDING'; requestId: number } | { status: 'SUCCESS'; certificates: Buffer[]; crls?: Buffer[]; requestId?: number }> {
    const key = transactionKey(ca.name, signed.transactionId, splitCertificate(signed.signerCertificate).spki);
    switch (signed.messageType) {
      case ScepMessageType.PKCSReq:
      case ScepMessageType.RenewalReq: {
        // A client that resends its request while it pends (micromdm's scepclient does) is polling.
        const known = await this.transactions.find(key);
        if (known) return this.poll(ca.name, key, known.requestId, known.retrievalSecret);
        const identity = await this.identify(signed, content, ca.name, source);
        return this.submit(ca.name, key, signed, content, identity);
      }
      case ScepMessageType.CertPoll: {
        scepIssuerAndSubject(content);
        const known = await this.transactions.find(key);
        if (!known) throw new Refusal('badCertId', 'no pending transaction with this transactionID for this key');
        return this.poll(ca.name, key, known.requestId, known.retrievalSecret);
      }
      case ScepMessageType.GetCRL: {
        scepIssuerAndSerial(content);
        const crl = await this.crls.get(ca.name, false);
        return { status: 'SUCCESS', certificates: [], crls: [crl.der] };
      }
      case ScepMessageType.GetCert:
        return { status: 'SUCCESS', certificates: [await this.certificate(ca, scepIssuerAndSerial(content))] };
      default:
        throw new Refusal('badRequest', `messageType ${signed.messageType} is not a request`);
    }
  }

  /**
   * GetCert (RFC 8894 3.3.4): a certificate of this CA by issuer and serial,
   * for any requester whose message is signed and sealed to the RA
   * (certificates are public; ADR 0040). Another issuer, or a serial this CA
   * never issued, is badCertId.
   */
  private async certificate(ca: { name: string; certificate: Buffer }, wanted: { issuer: Buffer; serialHex: string }): Promise<Buffer> {
    if (!wanted.issuer.equals(splitCertificate(ca.certificate).subjectDer)) throw new Refusal('badCertId', 'GetCert: the issuer is not this CA');
    if (!/^(?:[0-9a-f]{2}){1,32}$/.test(wanted.serialHex)) throw new Refusal('badCertId', 'GetCert: no certificate of this CA has that serial');
    try {
      return decodeCertificateText((await this.cas.certificateBySerial(ca.name, wanted.serialHex)).certificate);
    } catch (e) {
      if (e instanceof SignetError && e.code === ErrorCode.NotFound) throw new Refusal('badCertId', `GetCert: certificate ${wanted.serialHex} not found`);
      throw e;
    }
  }

  /**
   * Who asks. PKCSReq: the challengePassword is an enrollment secret, and
   * the self-signed signer certificate holds the requested key. RenewalReq:
   * the signer certificate is one of this CA's, valid and not revoked.
   */
  private async identify(signed: ScepSignedRequest, csr: Buffer, ca: string, source: string): Promise<Identity> {
    const info = scepCsrInfo(csr);
    if (signed.messageType === ScepMessageType.RenewalReq) {
      try {
        return await this.clientCertificates.check(new X509Certificate(signed.signerCertificate), new Date());
      } catch (e) {
        if (e instanceof SignetError && e.code === ErrorCode.Unauthorized) throw new Refusal('badRequest', `RenewalReq: ${e.message}`);
        throw e;
      }
    }
    if (!info.spki.equals(splitCertificate(signed.signerCertificate).spki)) throw new Refusal('badMessageCheck', 'PKCSReq: the signer certificate is not for the requested key');
    if (info.challengePassword === undefined) throw new Refusal('badRequest', 'PKCSReq: no challengePassword');
    try {
      return await this.secrets.fromCredential(ca, info.challengePassword, source);
    } catch (e) {
      if (e instanceof SignetError && (e.code === ErrorCode.Unauthorized || e.code === ErrorCode.RateLimited)) throw new Refusal('badRequest', `challengePassword: ${e.message}`);
      throw e;
    }
  }

  private async submit(ca: string, key: string, signed: ScepSignedRequest, csr: Buffer, identity: Identity) {
    const template = identity.template ?? this.config.template;
    const message = {
      request: toPem(csr, 'CERTIFICATE REQUEST'),
      attributes: template ? `CertificateTemplate:${template}` : '',
      // A retried message of the same transaction by the same key is the same request (ADR 0006).
      idempotencyKey: `scep-${key}`,
    };
    let result;
    try {
      result = await this.cas.submit(ca, { ...message, format: 'pkcs10', identityAssertion: await this.signer.submit(ca, identity, message) });
    } catch (e) {
      if (e instanceof SignetError && e.code === ErrorCode.PolicyUnavailable) {
        // Stored as pending: an officer can resubmit it, and the client's CertPoll reads it back.
        const d = e.details as { requestId?: number; retrievalSecret?: string } | undefined;
        if (d?.requestId !== undefined && d.retrievalSecret) {
          await this.transactions.remember(key, { requestId: d.requestId, retrievalSecret: d.retrievalSecret });
          return { status: 'PENDING' as const, requestId: d.requestId };
        }
      }
      if (e instanceof SignetError && CLIENT_ERRORS.has(e.code)) throw new Refusal('badRequest', `CA refused the request: ${e.message}`);
      throw e;
    }
    if (result.disposition === 'pending' || result.disposition === 'in_process') await this.transactions.remember(key, { requestId: result.requestId, retrievalSecret: result.retrievalSecret });
    return this.outcome(key, result);
  }

  private async poll(ca: string, key: string, requestId: number, retrievalSecret: string) {
    return this.outcome(key, await this.cas.retrieve(ca, { requestId, retrievalSecret }));
  }

  private async outcome(key: string, result: RequestResult) {
    // In process: an officer's resubmit is running right now; the next poll will know.
    if (result.disposition === 'pending' || result.disposition === 'in_process') return { status: 'PENDING' as const, requestId: result.requestId };
    await this.transactions.forget(key);
    if (result.disposition === 'issued' && result.certificate) {
      return { status: 'SUCCESS' as const, requestId: result.requestId, certificates: [decodeCertificateText(result.certificate), ...(result.chain ?? []).map((c) => decodeCertificateText(c))] };
    }
    throw new Refusal('badRequest', `request ${result.requestId} ${result.disposition}: ${result.message}`);
  }
}

/** The CA's answers that mean "this request is refused", as opposed to "try later". */
const CLIENT_ERRORS: ReadonlySet<string> = new Set([
  ErrorCode.BadMessage,
  ErrorCode.MalformedRequest,
  ErrorCode.BadSignature,
  ErrorCode.BadAttributes,
  ErrorCode.TooLarge,
  ErrorCode.Unauthorized,
  ErrorCode.CredentialReplayed,
  ErrorCode.Forbidden,
  ErrorCode.IdempotencyConflict,
  ErrorCode.RequestDenied,
  ErrorCode.LintFailed,
]);

/** What the opened message holds does not parse (a CertPoll's IssuerAndSubject, a GetCRL's IssuerAndSerialNumber): answered FAILURE badRequest. */
function contentProblem(e: unknown): Refusal | undefined {
  return e instanceof SignetError && (e.code === ErrorCode.MalformedRequest || e.code === ErrorCode.TooLarge) ? new Refusal('badRequest', e.message) : undefined;
}

/** A transactionID for a log line: printable ASCII only, bounded. */
function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
}

