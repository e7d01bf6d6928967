import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, SignetError, type Identity, type San, type SubmitResult } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';
import { certsOnlyPkcs7, challengePasswordOf, createCsr, decodeSubjectAltName, encodeCsrAttrs, fromPem, OID, parseCertificate, parseCsr, type ParsedCsr } from '@signet/x509';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { FrontDoorSigner } from '../auth/front-door-signer';
import { CaClient } from '../bus/ca-client';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { DiscoveryService } from '../discovery/discovery.service';
import { channelBindingOf, checkChannelBinding } from './channel-binding';
import { DEFAULT_EST_LABEL } from './est.config';
import { base64Body, CERTS_ONLY_MEDIA_TYPE, CSRATTRS_MEDIA_TYPE, estIdempotencyKey, serverKeygenBody } from './est-encoding';

/** An EST answer decided here; the controller only sends it. */
export interface EstAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** For the access log. */
  ca?: string;
  requestId?: number;
}

export type EnrollOperation = 'simpleenroll' | 'simplereenroll';

/** A text answer (RFC 7030 §4.2.3: errors and pending carry human-readable text). */
export function textAnswer(status: number, text: string, headers: Record<string, string> = {}): EstAnswer {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, body: `${text}\n` };
}

/** Answers that carry a request's result are for the one client that asked. */
const PRIVATE = { 'Cache-Control': 'no-store' } as const;

/**
 * EST (RFC 7030 with RFC 8951) onto the intermediary's submit: the label
 * picks the template, the request goes to the default CA signed with the
 * identity EnrolleeAuth established, and ca-core's disposition becomes
 * EST's answer (200 certs-only, 202 Retry-After, or an error with text).
 */
@Injectable()
export class EstService {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly cas: CaClient,
    private readonly signer: FrontDoorSigner,
    @Inject(CONFIG) private readonly config: IntermediaryConfig,
  ) {}

  /** The template a label stands for; an unknown label is 404. The unlabeled path is `default`, which may map to none. */
  templateOf(label: string | undefined): string | undefined {
    const name = (label ?? DEFAULT_EST_LABEL).toLowerCase();
    const template = this.config.est.labels.get(name);
    if (template === undefined && label !== undefined) throw new SignetError(ErrorCode.NotFound, `no EST label "${label.slice(0, 64)}" here`);
    return template;
  }

  /** RFC 7030 §4.1: the CA certificate and the chain above it, certs-only. */
  async caCerts(): Promise<EstAnswer> {
    const ca = (await this.discovery.resolve(undefined)).name;
    const reply = await this.cas.caCertificate(ca, true);
    const pems = reply.chain?.length ? reply.chain : [reply.certificate];
    const der = certsOnlyPkcs7(pems.map((p) => fromPem(p, 'CERTIFICATE')));
    return { status: 200, headers: { 'Content-Type': CERTS_ONLY_MEDIA_TYPE, 'Content-Transfer-Encoding': 'base64' }, body: base64Body(der), ca };
  }

  /**
   * RFC 7030 §4.5: the client is asked for the TLS channel binding in its
   * challengePassword (§3.5), which Signet checks when present. Everything
   * else the template decides at the CA.
   */
  csrAttrs(): EstAnswer {
    return { status: 200, headers: { 'Content-Type': CSRATTRS_MEDIA_TYPE, 'Content-Transfer-Encoding': 'base64' }, body: base64Body(encodeCsrAttrs([OID.challengePassword])) };
  }

  /** RFC 7030 §4.2: simpleenroll and simplereenroll. */
  async enroll(op: EnrollOperation, label: string | undefined, req: HttpRequest, identity: Identity, der: Buffer): Promise<EstAnswer> {
    const template = this.templateOf(label);
    const csr = await this.checkedCsr(req, der);
    if (op === 'simplereenroll') this.checkRenewal(req, identity, csr);
    const idempotencyKey = estIdempotencyKey(identity, template, der);
    const { ca, result } = await this.submit(der.toString('base64'), template, identity, idempotencyKey);
    return { ...this.outcome(ca, result), ca, requestId: result.requestId };
  }

  /**
   * RFC 7030 §4.4: the key is made here for the client's request (its
   * subject and names; the client's own key only signed the request), the
   * certificate asked for like any other, and both returned once. The key
   * is never stored or logged; a request that does not issue at once loses
   * it (ADR 0039), so its answer is an error, not 202.
   */
  async serverKeygen(label: string | undefined, req: HttpRequest, identity: Identity, der: Buffer): Promise<EstAnswer> {
    const template = this.templateOf(label);
    const csr = await this.checkedCsr(req, der);
    if (csr.subject.length === 0 && csr.subjectAltNames.length === 0) throw new SignetError(ErrorCode.MalformedRequest, 'the request names nobody: give a subject or subjectAltName');
    const privateKey = keyLike(csr);
    const made = await createCsr({ subject: csr.subject, sans: csr.subjectAltNames, privateKey });
    // No idempotency key: every answer carries a fresh key, so a repeat is a new request, never a replay of one whose key is gone.
    const { ca, result } = await this.submit(made.toString('base64'), template, identity, undefined);
    if (result.disposition === 'issued' && result.certificate) {
      const body = serverKeygenBody(privateKey, certsOnlyPkcs7([fromPem(result.certificate, 'CERTIFICATE')]));
      return { status: 200, headers: { ...PRIVATE, 'Content-Type': body.contentType }, body: body.body, ca, requestId: result.requestId };
    }
    if (result.disposition === 'pending' || result.disposition === 'in_process') {
      return {
        ...textAnswer(
          409,
          `request ${result.requestId} waits for approval, and serverkeygen keys are never kept: this key is gone. Use a label whose template issues at once, or simpleenroll with your own key.`,
          PRIVATE,
        ),
        ca,
        requestId: result.requestId,
      };
    }
    return { ...this.outcome(ca, result), ca, requestId: result.requestId };
  }

  /** Signature (proof of possession) and, when present, the channel binding: before anything is submitted. */
  private async checkedCsr(req: HttpRequest, der: Buffer): Promise<ParsedCsr> {
    const csr = await parseCsr(der);
    const socket = req.socket;
    checkChannelBinding(challengePasswordOf(der), socket instanceof TLSSocket ? channelBindingOf(socket) : undefined);
    return csr;
  }

  /**
   * RFC 7030 §4.2.2: re-enrollment is authenticated by the certificate being
   * renewed (the TLS client certificate), and the request's subject and
   * subjectAltName must be the certificate's.
   */
  private checkRenewal(req: HttpRequest, identity: Identity, csr: ParsedCsr): void {
    const peer = req.socket instanceof TLSSocket ? req.socket.getPeerX509Certificate() : undefined;
    if (identity.method !== 'tls-client-certificate' || !peer) {
      throw new SignetError(ErrorCode.Forbidden, 'simplereenroll renews the TLS client certificate presented with it: present the certificate being renewed', { reason: 'no-client-certificate' });
    }
    const cert = parseCertificate(peer.raw);
    const san = cert.extensions.find((e) => e.oid === OID.subjectAltName);
    const certNames = san ? decodeSubjectAltName(san.value) : [];
    if (nameKey(cert.subject) !== nameKey(csr.subject)) {
      throw new SignetError(ErrorCode.Forbidden, "simplereenroll: the request's subject is not the certificate's (RFC 7030 §4.2.2)", { reason: 'subject-mismatch' });
    }
    if (sanKey(certNames) !== sanKey(csr.subjectAltNames)) {
      throw new SignetError(ErrorCode.Forbidden, "simplereenroll: the request's subjectAltName is not the certificate's (RFC 7030 §4.2.2)", { reason: 'san-mismatch' });
    }
  }

  private async submit(request: string, template: string | undefined, identity: Identity, idempotencyKey: string | undefined): Promise<{ ca: string; result: SubmitResult }> {
    const ca = (await this.discovery.resolve(undefined)).name;
    const attributes = template ? `CertificateTemplate:${template}` : '';
    const message = { request, attributes, ...(idempotencyKey ? { idempotencyKey } : {}) };
    const result = await this.cas.submit(ca, { ...message, format: 'pkcs10', identityAssertion: await this.signer.submit(ca, identity, message) });
    return { ca, result };
  }

  /** ca-core's disposition → EST (RFC 7030 §4.2.3). */
  private outcome(ca: string, r: SubmitResult): EstAnswer {
    switch (r.disposition) {
      case 'issued':
        if (!r.certificate) return textAnswer(500, `request ${r.requestId} was issued, but its certificate did not come back; send the request again`, PRIVATE);
        return { status: 200, headers: { ...PRIVATE, 'Content-Type': CERTS_ONLY_MEDIA_TYPE, 'Content-Transfer-Encoding': 'base64' }, body: base64Body(certsOnlyPkcs7([fromPem(r.certificate, 'CERTIFICATE')])) };
      case 'pending':
      case 'in_process':
        return textAnswer(202, `request ${r.requestId} at CA ${ca} is pending: ${r.message}. Send the same request again later.`, { ...PRIVATE, 'Retry-After': String(this.config.est.retryAfterSeconds) });
      case 'denied':
        return textAnswer(400, `${ErrorCode.RequestDenied}: request ${r.requestId} was denied: ${r.message}`, PRIVATE);
      case 'failed':
        return textAnswer(500, `${ErrorCode.RequestFailed}: request ${r.requestId} failed: ${r.message}`, PRIVATE);
      case 'revoked':
        return textAnswer(409, `request ${r.requestId}'s certificate was revoked: make a new key and request`, PRIVATE);
    }
  }
}

/** A key like the client's (the algorithms createCsr signs with), else ECDSA P-256. */
function keyLike(csr: ParsedCsr): KeyObject {
  const k = csr.publicKey;
  if (k.algorithm === 'ec' && (k.curve === 'P-256' || k.curve === 'P-384')) return generateKeyPairSync('ec', { namedCurve: k.curve }).privateKey;
  if (k.algorithm === 'rsa' && [2048, 3072, 4096].includes(k.bits)) return generateKeyPairSync('rsa', { modulusLength: k.bits }).privateKey;
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

const nameKey = (name: { type: string; value: string }[]): string => JSON.stringify(name.map((r) => [r.type, r.value]));
const sanKey = (names: San[]): string =>
  JSON.stringify(names.map((n) => `${n.type}:${n.type === 'dns' ? n.value.toLowerCase() : n.value}`).sort());
