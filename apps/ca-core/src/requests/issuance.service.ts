import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CR_DISP,
  Disposition,
  ErrorCode,
  escapeControlCharacters,
  ExitEvent,
  parseAttributes,
  requesterNameOf,
  SignetError,
  type DecidingRule,
  type PolicyVerifyReplyParsed,
  type RequestResult,
  type RetrieveRequestParsed,
  type SubmitRequestParsed,
  type SubmitResult,
} from '@signet/contracts';
import {
  decodeRequestText,
  encodeSubjectKeyIdentifier,
  formatName,
  issueCertificate,
  OID,
  parseCsr,
  prepareCertificate,
  randomSerialHex,
  subjectKeyIdentifier,
  toPem,
  type ParsedCsr,
} from '@signet/x509';
import { createHash } from 'node:crypto';
import { AuditStore } from '../audit/audit.store';
import { CaKeysService } from '../ca/ca-keys.service';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { Clock } from '../clock';
import { REVOCATION_CONFIG, type RevocationConfig } from '../crl/revocation-config';
import { isTransientDatabaseError } from '../database/transient';
import { revocationExtensions } from '../crl/revocation-extensions';
import { busIdentity, retrieverIdentity, submitterIdentity, type VerifyContext } from '../identity';
import { OutboxRelay } from '../outbox/outbox.relay';
import { OutboxStore } from '../outbox/outbox.store';
import { PolicyClient } from '../policy/policy.client';
import { adminWidening, applyPolicyChanges, certificateExtensions, DraftViolation, proposeDraft, type CertificateDraft } from './certificate-draft';
import { buildVerifyRequest } from './policy-snapshot';
import { IssuanceBatches, type Stored } from './issuance-batches';
import { RequestStore, type RequestRow } from './request.store';
import { RequestAction } from './request-state';
import { mayRetrieve, newRetrievalSecret } from './retrieval-secret';

/**
 * The issuance path, top to bottom in the order of docs/ISSUANCE.md:
 *  1. who asks (a front door's signed identity, a bus submitter's subject,
 *     or anonymous), validate (size, parse, CSR signature = proof of
 *     possession) and persist, with a one-time credential recorded
 *  2. ask the policy module; apply its changes under AD CS's invariants
 *  3. reserve a random serial
 *  4. build, lint, sign, verify
 *  5. one transaction: certificate + state + outbox event + audit record
 *  6. reply (the outbox relay publishes the event)
 * Steps 1, 3 (the serial's reservation) and 5 are written by group commit
 * (IssuanceBatches, ADR 0037): many requests share one transaction, each
 * keeping every guarantee of its own.
 * Whatever goes wrong after step 1 stored the request moves it on, to
 * failed or back to pending: none is left in process (ADR 0022).
 */
@Injectable()
export class IssuanceService {
  private readonly log = new Logger('Issuance');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly store: RequestStore,
    private readonly keys: CaKeysService,
    private readonly policy: PolicyClient,
    private readonly outbox: OutboxStore,
    private readonly audit: AuditStore,
    private readonly relay: OutboxRelay,
    @Inject(REVOCATION_CONFIG) private readonly revocation: RevocationConfig,
    private readonly clock: Clock,
    private readonly batches: IssuanceBatches,
  ) {}

  private get caName(): string {
    return this.config.caName;
  }

  private get frontDoors(): VerifyContext {
    return { ca: this.caName, keys: this.config.frontDoorKeys };
  }

  /**
   * ICertRequest::Submit. The reply carries the request's retrieval secret,
   * the only time it is shown: the row keeps its hash (ADR 0025).
   * `busUser`: the NATS user whose own subject the message came on
   * (`ca.<ca>.request.submit.bus.<user>`); it alone is the requester then.
   */
  async submit(req: SubmitRequestParsed, busUser?: string): Promise<SubmitResult> {
    // 1. Who asks (ADR 0026). A credential that does not hold is refused before anything is stored, never taken as anonymous.
    if (busUser !== undefined && req.identityAssertion !== undefined) {
      throw new SignetError(ErrorCode.BadMessage, 'a bus submitter is its NATS user: identityAssertion is not accepted on its subject', { field: 'identityAssertion' });
    }
    const identity = busUser !== undefined ? busIdentity(busUser) : await submitterIdentity(this.frontDoors, req);
    const requester = requesterNameOf(identity);

    // Validate before anything is stored: a request we cannot read is refused, not accepted.
    const der = decodeRequestText(req.request);
    const csr = await parseCsr(der);
    const attributes = parseAttributes(req.attributes);
    const sha = createHash('sha256').update(der).update('\0').update(req.attributes).digest('hex');

    // 1b. Persist, with the batch this request joins: from here on nothing the CA accepted can be lost.
    const secret = newRetrievalSecret();
    const attributeList = [...attributes.entries()].map(([name, a]) => ({ name, displayName: a.name, value: a.value })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const extensions = csr.extensions
      .map((e) => ({ oid: e.oid, critical: e.critical, value: Buffer.from(e.value, 'base64'), origin: 'request' as const, disabled: false }))
      .sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
    const subject = formatName(csr.subject);
    let stored: Stored;
    try {
      stored = await this.batches.persist({
        request: {
          caName: this.caName,
          rawRequest: der,
          requestSha256: sha,
          attributesRaw: req.attributes,
          attributes: attributeList,
          extensions,
          identity,
          subject,
          idempotencyKey: req.idempotencyKey,
          retrievalSecretSha256: secret.sha256,
          leaseMs: this.config.requestLeaseMs,
        },
        identity,
        requester,
      });
    } catch (e) {
      if (!isTransientDatabaseError(e)) throw e;
      this.log.error(`a batch of requests could not be stored: ${(e as Error)?.message ?? String(e)}`);
      throw new SignetError(ErrorCode.Internal, 'the request could not be stored because of a temporary database failure; submit it again (with the same idempotency key)', {}, true);
    }
    if ('taken' in stored) {
      // An earlier submit with the same idempotency key (or one in the same batch) holds it.
      const existing = await this.store.findByIdempotencyKey(this.caName, req.idempotencyKey!);
      return this.replay(existing!, sha, requester);
    }
    const id = stored.id;
    this.log.log(`request ${id} accepted from ${requester}`);
    // What was just written, known without reading it back.
    const row: RequestRow = {
      id,
      caName: this.caName,
      disposition: Disposition.InProcess,
      message: '',
      statusCode: 0,
      requestType: 'pkcs10',
      decidedBy: null,
      rawRequest: der,
      requestSha256: sha,
      attributesRaw: req.attributes,
      requesterName: requester,
      identity,
      subject,
      template: null,
      idempotencyKey: req.idempotencyKey ?? null,
      certSubject: null,
      submittedAt: stored.submittedAt,
      resolvedAt: null,
      version: 1,
      retrievalSecretSha256: secret.sha256,
      awaitingRetrieval: false,
      resumable: false,
    };
    return this.withSecret(this.run(row, true, { csr, attributes: attributeList, extensions }), secret.secret);
  }

  /** The result with the request's retrieval secret; also on POLICY_UNAVAILABLE, whose request is stored as pending (its submitter needs the secret to read it back). */
  private async withSecret(result: Promise<RequestResult>, secret: string): Promise<SubmitResult> {
    try {
      return { ...(await result), retrievalSecret: secret };
    } catch (e) {
      if (e instanceof SignetError && e.code === ErrorCode.PolicyUnavailable) {
        throw new SignetError(e.code, e.message, { ...e.details, retrievalSecret: secret }, e.retryable);
      }
      throw e;
    }
  }

  /**
   * ICertRequest::RetrievePending, for the request's owner only (the
   * holder of its retrieval secret, or the same requester, as a front door
   * signed it for this request id).
   * Anyone else gets exactly what an unknown id gets, so ids cannot be
   * probed. A read writes nothing, except the owner's first retrieval of a
   * certificate issued after the submit answered: that is AD CS's
   * EXITEVENT_CERTRETRIEVEPENDING, written once.
   */
  async retrieve(ask: RetrieveRequestParsed): Promise<RequestResult> {
    const requester = requesterNameOf(await retrieverIdentity(this.frontDoors, ask));
    const row = await this.store.get(this.caName, ask.requestId);
    // Checked for unknown ids too, so both refusals take the same work.
    const allowed = mayRetrieve(row, { retrievalSecret: ask.retrievalSecret, requester });
    if (!row || !allowed) {
      throw new SignetError(ErrorCode.NotFound, `request ${ask.requestId} not found`, { requestId: ask.requestId });
    }
    const result = await this.result(row);
    if (result.certificate && row.awaitingRetrieval) {
      const first = await this.store.transaction(async (m) => {
        if (!(await this.store.claimFirstRetrieval(m, this.caName, row.id))) return false;
        await this.outbox.enqueue(m, this.caName, ExitEvent.PendingRetrieved, { requestId: row.id, disposition: row.disposition, serial: result.serial });
        return true;
      });
      if (first) this.relay.wake();
    }
    return result;
  }

  /**
   * Steps 2–6 for a request that is in process (new, or claimed by a
   * resubmit). `newRequest` is ICertPolicy::VerifyRequest's bNewRequest.
   */
  async decide(requestId: number, newRequest: boolean, csr?: ParsedCsr, actor = 'ca'): Promise<RequestResult> {
    const row = await this.store.get(this.caName, requestId);
    if (!row) throw new SignetError(ErrorCode.NotFound, `request ${requestId} not found`);
    return this.run(row, newRequest, { csr }, actor);
  }

  /** Steps 2–6 for `row`; `known` holds what the caller already has of it (a new submit: everything), so nothing is read back. */
  private async run(row: RequestRow, newRequest: boolean, known: Known, actor = 'ca'): Promise<RequestResult> {
    const requestId = row.id;
    // While this process works on the request it renews its lease; a lease that runs out means the process is gone (ADR 0034).
    const lease = setInterval(() => {
      this.store.renewLease(this.caName, requestId, this.config.requestLeaseMs).catch((e) => this.log.warn(`request ${requestId}: could not renew its lease: ${(e as Error)?.message ?? String(e)}`));
    }, Math.floor(this.config.requestLeaseMs / 3));
    lease.unref();
    try {
      return await this.steps(row, newRequest, known, actor);
    } catch (e) {
      return this.recover(row, e, actor);
    } finally {
      clearInterval(lease);
    }
  }

  /**
   * An error the steps did not turn into an outcome themselves: the request
   * is stored and in process, and must not stay so. A transient database
   * failure parks it as pending (resubmit to continue, as after a crash);
   * anything else fails it, with a message that names the error's code but
   * no stack. When even that cannot be written (the database is gone), the
   * request is left for the next start to park, and the error goes on.
   */
  private async recover(row: RequestRow, e: unknown, actor: string): Promise<RequestResult> {
    // Outcomes already recorded (policy unavailable → pending) or decided by someone else (a concurrent admin action) go on as they are.
    if (e instanceof SignetError && [ErrorCode.PolicyUnavailable, ErrorCode.WrongState, ErrorCode.NotFound].includes(e.code as never)) throw e;
    const transient = isTransientDatabaseError(e);
    this.log.error(`request ${row.id}: ${transient ? 'parked as pending' : 'failed'} after an unexpected error: ${(e as Error)?.stack ?? String(e)}`);
    let result: RequestResult;
    try {
      result = transient
        ? await this.finish(row, RequestAction.Park, 'processing was interrupted by a temporary database error; resubmit to continue', { actor, resumable: true })
        : await this.finish(row, RequestAction.Fail, `the CA could not process the request: ${e instanceof SignetError ? `${e.code}: ${e.message}` : 'internal error'}`, { actor });
    } catch (again) {
      // Not in process any more (someone else moved it), or not writable now: the first error is the one to report.
      this.log.error(`request ${row.id}: could not record the failure: ${(again as Error)?.message ?? String(again)}`);
      throw e;
    }
    if (transient) {
      throw new SignetError(ErrorCode.Internal, `request ${row.id} could not be finished because of a temporary database failure; it is kept, and a retry with the same idempotency key carries on with it`, { requestId: row.id }, true);
    }
    return result;
  }

  private async steps(row: RequestRow, newRequest: boolean, known: Known, actor: string): Promise<RequestResult> {
    const requestId = row.id;
    const csr = known.csr ?? (await parseCsr(row.rawRequest));
    const ca = this.keys.ca;

    // 2. Policy: one snapshot out, one verdict with changes back.
    const stored = known.extensions ?? (await this.store.extensions(requestId));
    let draft: CertificateDraft;
    try {
      draft = proposeDraft({
        now: this.clock.now(),
        subject: csr.subject,
        ca,
        maxValidityDays: this.config.maxValidityDays,
        backdateSeconds: this.config.backdateSeconds,
        adminExtensions: stored.filter((e) => e.origin === 'admin'),
      });
    } catch (e) {
      return this.finish(row, RequestAction.Fail, `${(e as Error).message}`, { actor });
    }
    const attributes = known.attributes ?? (await this.store.attributes(requestId));
    let verdict: PolicyVerifyReplyParsed;
    try {
      verdict = await this.policy.verify(buildVerifyRequest({ row, csr, attributes, requestExtensions: stored.filter((e) => e.origin === 'request'), draft, ca: this.keys.caInfo(), newRequest }));
    } catch (e) {
      if (e instanceof SignetError && e.code === ErrorCode.PolicyUnavailable) {
        // Not a verdict but an interruption (ADR 0003, amended): parked resumable, so the
        // submitter's retry with its idempotency key runs the policy again; an officer can resubmit it too.
        await this.finish(row, RequestAction.Park, 'the policy module is unavailable; the request is stored and can be resubmitted', { actor, resumable: true });
        throw new SignetError(ErrorCode.PolicyUnavailable, `the policy module is unavailable; request ${requestId} is stored as pending and can be resubmitted`, { requestId });
      }
      // AD CS: a failing VerifyRequest marks the request failed, permanently.
      const reason = e instanceof SignetError ? `${e.code}: ${e.message}` : 'unexpected error';
      return this.finish(row, RequestAction.Fail, `the policy module failed: ${reason}`, { actor });
    }
    try {
      draft = applyPolicyChanges(draft, verdict.changes, ca);
    } catch (e) {
      if (!(e instanceof DraftViolation)) throw e;
      return this.finish(row, RequestAction.Fail, `the policy module made a change the CA refuses: ${e.message}`, { actor, draft });
    }
    if (verdict.verdict === 'issue') {
      // The policy approved; an officer's edit still gets no more than the template gave (ADR 0023).
      const widened = adminWidening(draft, verdict.changes);
      if (widened) {
        const message = `the CA refuses an administrator's ${widened.name} extension: it ${widened.problem}`;
        return this.finish(row, RequestAction.Deny, message, { actor, decidedBy: { rule: 'ca.extension.admin', field: `extensions.${widened.name}`, value: widened.problem.slice(0, 1024) }, draft });
      }
    }
    if (verdict.verdict === 'deny') return this.finish(row, RequestAction.Deny, verdict.message, { actor, decidedBy: verdict.decidedBy, draft });
    if (verdict.verdict === 'pend') return this.finish(row, RequestAction.Pend, verdict.message, { actor, decidedBy: verdict.decidedBy, draft });
    return this.issue(row, csr, draft, verdict, actor, newRequest);
  }

  private async issue(row: RequestRow, csr: ParsedCsr, draft: CertificateDraft, verdict: PolicyVerifyReplyParsed, actor: string, newRequest: boolean): Promise<RequestResult> {
    const ca = this.keys.ca;
    // 3. A random serial, reserved before signing so it can never be used twice (one statement and commit for the batch it joins).
    let serial = randomSerialHex();
    while (!(await this.batches.reserveSerial(serial, row.id))) serial = randomSerialHex();

    // 4. Build and lint the to-be-signed certificate; only a clean one is signed.
    const extensions = [
      { oid: OID.subjectKeyIdentifier, critical: false, value: encodeSubjectKeyIdentifier(subjectKeyIdentifier(csr.spki)) },
      ca.issuer.authorityKeyIdentifier,
      // CDP, freshest CRL, AIA from the CA's configuration; where the CA sets one, it wins over the policy's.
      ...revocationExtensions(this.revocation),
      ...certificateExtensions(draft)
        .filter((e) => !revocationExtensions(this.revocation).some((r) => r.oid === e.oid))
        .map((e) => ({ oid: e.oid, critical: e.critical, value: e.value })),
    ];
    // A CA certificate only for a CA template, and only where this CA issues subordinate CAs at all (ADR 0023).
    const caAllowed = verdict.caTemplate && this.config.allowSubordinateCa;
    let der: Buffer;
    try {
      const prepared = prepareCertificate(
        { serialHex: serial, subject: draft.subject, notBefore: draft.notBefore, notAfter: draft.notAfter, spki: csr.spki, extensions },
        ca.issuer,
        { caAllowed, keyInfo: csr.publicKey },
      );
      der = await issueCertificate(prepared);
    } catch (e) {
      if (e instanceof SignetError && e.code === ErrorCode.LintFailed) {
        const problems = (e.details?.problems as string[] | undefined)?.join('; ') ?? e.message;
        const note = verdict.caTemplate && !caAllowed ? ` (the policy names a CA template, but SIGNET_ALLOW_SUBORDINATE_CA is off)` : '';
        return this.finish(row, RequestAction.Fail, `the certificate failed the CA's checks and was not signed: ${problems}${note}`, { actor, draft });
      }
      throw e;
    }

    // 5. One transaction: certificate, state, event, audit.
    return this.finish(row, RequestAction.Issue, verdict.message || 'issued', {
      actor,
      decidedBy: verdict.decidedBy,
      draft,
      certificate: { serial, der },
      // The submit's own reply hands the certificate out; after a resubmit only a retrieval does.
      awaitingRetrieval: !newRequest,
    });
  }

  /** Applies one transition with everything that goes with it, under the row lock, in the batch it joins (ADR 0037). */
  private async finish(
    row: RequestRow,
    action: RequestAction,
    text: string,
    opts: { actor: string; decidedBy?: DecidingRule; draft?: CertificateDraft; certificate?: { serial: string; der: Buffer }; awaitingRetrieval?: boolean; resumable?: boolean },
  ): Promise<RequestResult> {
    // Messages quote policies, lint and errors, which may quote input: stored, published and shown without control characters.
    const message = escapeControlCharacters(text, 'free');
    const { after } = await this.batches.finish({ row, action, message, ...opts });
    this.relay.wake();
    this.log.log(`request ${row.id}: ${row.disposition} -> ${after}${opts.certificate ? ` serial ${opts.certificate.serial}` : ''}`);
    // The outcome as written, without reading it back.
    const base: RequestResult = {
      requestId: row.id,
      disposition: after,
      dispositionCode: CR_DISP[after],
      message: message.slice(0, 4096),
      ...(opts.decidedBy ? { decidedBy: opts.decidedBy } : {}),
    };
    if (after !== Disposition.Issued || !opts.certificate) return base;
    const ca = this.keys.ca;
    return { ...base, serial: opts.certificate.serial, certificate: toPem(opts.certificate.der, 'CERTIFICATE'), chain: [ca.certificatePem, ...ca.chainPem] };
  }

  /**
   * The answer to a repeated idempotency key: the first result, never a
   * second certificate, with a fresh retrieval secret that replaces the
   * first (only its hash was kept, so it cannot be shown again). Key and
   * request bytes together are the submitter's proof; the replacement is
   * audited. A first request still in process is waited for at most
   * SIGNET_IDEMPOTENT_WAIT_MS, well inside the front door's bus timeout;
   * then the retry is answered IN_PROGRESS (retryable; 409 with Retry-After
   * at the HTTP edge), never left to time out (ADR 0034).
   */
  private async replay(existing: RequestRow, sha: string, requester: string): Promise<SubmitResult> {
    // Another requester's key is not this one's to retry (nor to take the request over with a fresh secret).
    if (existing.requestSha256 !== sha || existing.requesterName !== requester) {
      throw new SignetError(ErrorCode.IdempotencyConflict, 'this idempotency key was used with a different request', { requestId: existing.id });
    }
    const deadline = Date.now() + this.config.idempotentWaitMs;
    let row = existing;
    while (row.disposition === Disposition.InProcess && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      row = (await this.store.get(this.caName, existing.id))!;
    }
    if (row.disposition === Disposition.InProcess) {
      throw new SignetError(ErrorCode.InProgress, `request ${row.id} with this idempotency key is still being processed; retry later`, { requestId: row.id });
    }
    if (row.disposition === Disposition.Pending && row.resumable) return this.resume(row, sha, requester);
    const secret = newRetrievalSecret();
    await this.store.transaction(async (m) => {
      await this.store.replaceRetrievalSecret(m, this.caName, row.id, secret.sha256);
      await this.audit.append(m, this.caName, { actor: requester, action: 'request.retry', requestId: row.id, details: { retrievalSecret: 'replaced' } });
    });
    return { ...(await this.result(row)), retrievalSecret: secret.secret };
  }

  /**
   * The submitter's retry of a request parked because its processing was
   * interrupted (its batch failed, its process died; not decided by anyone)
   * carries on with it: claimed back in process under its row lock (one
   * retry wins; the others wait for it as for any request in process), then
   * steps 2–6 again (ADR 0037). A serial reserved before the interruption
   * stays unused: another is drawn.
   */
  private async resume(row: RequestRow, sha: string, requester: string): Promise<SubmitResult> {
    const secret = newRetrievalSecret();
    const claimed = await this.store.transaction(async (m) => {
      if (!(await this.store.claimResumable(m, this.caName, row.id, this.config.requestLeaseMs))) return false;
      await this.store.replaceRetrievalSecret(m, this.caName, row.id, secret.sha256);
      await this.audit.append(m, this.caName, { actor: requester, action: 'request.resume', requestId: row.id, before: Disposition.Pending, after: Disposition.InProcess, details: { retrievalSecret: 'replaced' } });
      return true;
    });
    if (!claimed) return this.replay((await this.store.get(this.caName, row.id))!, sha, requester);
    this.log.log(`request ${row.id}: resumed by its submitter's retry`);
    return this.withSecret(this.decide(row.id, true), secret.secret);
  }

  async result(row: RequestRow): Promise<RequestResult> {
    const base: RequestResult = {
      requestId: row.id,
      disposition: row.disposition,
      dispositionCode: CR_DISP[row.disposition],
      message: row.message,
      ...(row.decidedBy ? { decidedBy: row.decidedBy } : {}),
    };
    if (row.disposition !== Disposition.Issued && row.disposition !== Disposition.Revoked) return base;
    const cert = await this.store.certificateOf(this.caName, row.id);
    if (!cert) return base;
    const ca = this.keys.ca;
    return { ...base, serial: cert.serial, certificate: toPem(cert.der, 'CERTIFICATE'), chain: [ca.certificatePem, ...ca.chainPem] };
  }
}

/** What steps 2–6 may take from their caller instead of reading it back. */
interface Known {
  csr?: ParsedCsr;
  attributes?: Array<{ name: string; displayName: string; value: string }>;
  extensions?: Array<{ oid: string; critical: boolean; value: Buffer; origin: 'request' | 'policy' | 'admin' | 'server'; disabled: boolean }>;
}
