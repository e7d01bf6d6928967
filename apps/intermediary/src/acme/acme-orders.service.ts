import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Identity, type RequestResult } from '@signet/contracts';
import { parseCsr } from '@signet/x509';
import { FrontDoorSigner } from '../auth/front-door-signer';
import { CaClient } from '../bus/ca-client';
import { DiscoveryService } from '../discovery/discovery.service';
import { type AcmeAnswer } from './acme.answer';
import { type AcmeConfig, type AcmeProfile } from './acme.config';
import { type AccountRow, type AcmeStore, type OrderRow } from './acme.store';
import { ACME_CONFIG, ACME_STORE } from './acme.tokens';
import { type AcmeUrls } from './acme.urls';
import { authzView, challengeView, orderView } from './acme.views';
import { AcmeRenewalService } from './acme-renewal.service';
import { accountOf, authenticate, type AcmeHttpRequest } from './acme-request';
import { challengeTypesFor, csrMatchesOrder, parseIdentifiers } from './identifiers';
import { thumbprint } from './jws';
import { checkLimit, PENDING_RETRY_AFTER_SECONDS } from './rate-limits';
import { AcmeProblem, problemDocument, type ProblemDocument } from './problem';
import { ChallengeValidator } from './validation/challenge-validator';

/** How long a client waits before polling an order the CA has not decided (RFC 8555 7.4: Retry-After on processing). */
export const PROCESSING_RETRY_AFTER_SECONDS = 3;

/** The idempotency key of an order's one submit: a finalize retried on any replica never issues twice. */
export const orderIdempotencyKey = (orderId: string): string => `acme-order-${orderId}`;

const MAX_CSR_BYTES = 16_384;

/**
 * Orders, authorisations, challenges, finalize and certificate download
 * (RFC 8555 7.4–7.5). An order becomes a submit to ca-core: the same
 * policy, approval, exit modules and audit as every other request, with
 * the ACME account as the requester and the validated identifiers as the
 * names it proved.
 */
@Injectable()
export class AcmeOrdersService {
  private readonly log = new Logger('Acme');

  constructor(
    @Inject(ACME_STORE) private readonly store: AcmeStore,
    @Inject(ACME_CONFIG) private readonly config: AcmeConfig,
    private readonly validator: ChallengeValidator,
    private readonly discovery: DiscoveryService,
    private readonly cas: CaClient,
    private readonly signer: FrontDoorSigner,
    private readonly renewals: AcmeRenewalService,
  ) {}

  async newOrder(req: AcmeHttpRequest): Promise<AcmeAnswer> {
    const auth = await authenticate(this.store, this.config, req, 'kid');
    const account = accountOf(auth);
    const p = auth.payload;
    if (!p) throw new AcmeProblem('malformed', 'newOrder needs a payload with identifiers');
    const identifiers = parseIdentifiers(p.identifiers, this.config.maxIdentifiers);
    // Through a profile's directory, its newOrder orders that profile (and no other).
    if (req.urls.profile && p.profile !== undefined && p.profile !== req.urls.profile) throw new AcmeProblem('malformed', `this newOrder URL orders profile ${req.urls.profile}`);
    const profile = this.profile(p.profile ?? req.urls.profile);
    const notBefore = optionalDate(p.notBefore, 'notBefore');
    const notAfter = optionalDate(p.notAfter, 'notAfter');
    if (p.replaces !== undefined) {
      if (typeof p.replaces !== 'string') throw new AcmeProblem('malformed', 'replaces must be an ARI certificate identifier');
      // RFC 9773 5: a certificate of this account; one live order replaces it (the store's unique index says alreadyReplaced).
      await this.renewals.replaced(p.replaces, account.id);
    }
    await this.checkOrderLimits(account.id, req.clientIp, identifiers.length);
    const expiresAt = new Date(Date.now() + this.config.orderTtlSeconds * 1000);
    const order = await this.store.createOrder({
      accountId: account.id,
      profile: profile.name,
      template: profile.template,
      identifiers,
      expiresAt,
      notBefore,
      notAfter,
      replaces: p.replaces as string | undefined,
      clientIp: req.clientIp,
      authorizations: identifiers.map((i) => {
        const c = challengeTypesFor(i);
        return { identifier: { type: i.type, value: c.value }, wildcard: c.wildcard, challenges: c.types };
      }),
    });
    const authzs = await this.store.authzsOfOrder(order.id);
    return { status: 201, headers: { Location: req.urls.order(order.id) }, body: orderView(req.urls, order, authzs.map((a) => a.id)) };
  }

  /** POST-as-GET on an order; one that waits at the CA is asked about again first (the approval flow). */
  async order(req: AcmeHttpRequest, id: string): Promise<AcmeAnswer> {
    const account = accountOf(await authenticate(this.store, this.config, req, 'kid'));
    let order = await this.ownOrder(id, account);
    if (order.status === 'processing' && order.requestId !== null && order.ca) {
      await this.poll(order, account, req.urls);
      order = (await this.store.order(id))!;
    }
    return this.orderAnswer(req.urls, order);
  }

  async authz(req: AcmeHttpRequest, id: string): Promise<AcmeAnswer> {
    const auth = await authenticate(this.store, this.config, req, 'kid');
    const account = accountOf(auth);
    let a = await this.store.authz(id);
    if (!a || a.accountId !== account.id) throw new AcmeProblem('malformed', 'no such authorization', { status: 404 });
    if (auth.payload?.status !== undefined) {
      if (auth.payload.status !== 'deactivated') throw new AcmeProblem('malformed', 'an authorization can only be changed to status "deactivated"');
      a = (await this.store.deactivateAuthz(id)) ?? (await this.store.authz(id))!;
      if (a.status !== 'deactivated') throw new AcmeProblem('malformed', `an authorization that is ${a.status} cannot be deactivated`);
    }
    return { status: 200, headers: {}, body: authzView(req.urls, a, await this.store.challengesOf(a.id)) };
  }

  /**
   * POST {} to a challenge starts its validation (RFC 8555 7.5.1): the
   * replica that moves it to processing runs the validator in the
   * background; the answer shows the challenge processing, and the client
   * polls the authorisation. POST-as-GET only reads it.
   */
  async challenge(req: AcmeHttpRequest, id: string): Promise<AcmeAnswer> {
    const auth = await authenticate(this.store, this.config, req, 'kid');
    const account = accountOf(auth);
    let c = await this.store.challenge(id);
    const a = c && (await this.store.authz(c.authorizationId));
    if (!c || !a || a.accountId !== account.id) throw new AcmeProblem('malformed', 'no such challenge', { status: 404 });
    if (auth.payload !== undefined && (c.status === 'pending' || c.status === 'processing')) {
      if (c.status === 'pending') await this.checkValidationLimits(account.id, req.clientIp);
      const started = await this.store.startChallenge(id, req.clientIp, this.config.validationTimeoutSeconds);
      if (started) {
        c = started;
        const keyAuthorization = `${c.token}.${await thumbprint(account.jwk)}`;
        void this.validate(c.id, { type: c.type, identifier: a.identifier, token: c.token, keyAuthorization });
      } else {
        c = (await this.store.challenge(id))!;
      }
    }
    return { status: 200, headers: { Link: `<${req.urls.authz(a.id)}>;rel="up"` }, body: challengeView(req.urls, c) };
  }

  /**
   * Finalize (RFC 8555 7.4): the CSR must ask for exactly the order's
   * identifiers. Only the request that moves the order from ready to
   * processing submits; a second finalize (the same client retrying, or on
   * another replica) gets the order as it stands. The submit carries the
   * order's own idempotency key, so even a retry after a lost answer
   * issues once.
   */
  async finalize(req: AcmeHttpRequest, id: string): Promise<AcmeAnswer> {
    const auth = await authenticate(this.store, this.config, req, 'kid');
    const account = accountOf(auth);
    const order = await this.ownOrder(id, account);
    if (order.status === 'processing' || order.status === 'valid') return this.orderAnswer(req.urls, order);
    if (order.status !== 'ready') throw new AcmeProblem('orderNotReady', `the order is ${order.status}, not ready`);
    const csrText = auth.payload?.csr;
    if (typeof csrText !== 'string' || !/^[A-Za-z0-9_-]+$/.test(csrText) || csrText.length > (MAX_CSR_BYTES * 4) / 3) {
      throw new AcmeProblem('malformed', `csr must be a base64url DER PKCS#10 request of at most ${MAX_CSR_BYTES} bytes`);
    }
    const der = Buffer.from(csrText, 'base64url');
    const csr = await parseCsr(der).catch((e: Error) => {
      throw new AcmeProblem('badCSR', `the CSR cannot be used: ${e.message}`);
    });
    const mismatch = csrMatchesOrder(csr, order.identifiers);
    if (mismatch) throw new AcmeProblem('badCSR', mismatch);
    const ca = (await this.discovery.resolve(this.config.ca)).name;
    if (!(await this.store.beginFinalize(order.id, ca))) return this.orderAnswer(req.urls, (await this.store.order(id))!);
    const message = { request: der.toString('base64'), attributes: `CertificateTemplate:${order.template}`, idempotencyKey: orderIdempotencyKey(order.id) };
    let result: RequestResult & { retrievalSecret?: string };
    try {
      result = await this.cas.submit(ca, { ...message, format: 'pkcs10', identityAssertion: await this.signer.submit(ca, this.identity(account, order, req.urls), message) });
    } catch (e) {
      // Nothing was decided that the idempotency key would not find again: the client may finalize once more.
      await this.store.recordOutcome(order.id, { status: 'ready' });
      throw e;
    }
    this.log.log(`order ${order.id}: request ${result.requestId} at CA ${ca} is ${result.disposition}`);
    await this.store.recordOutcome(order.id, { ...outcomeOf(result), requestId: result.requestId, retrievalSecret: result.retrievalSecret });
    return this.orderAnswer(req.urls, (await this.store.order(id))!);
  }

  async certificate(req: AcmeHttpRequest, orderId: string): Promise<AcmeAnswer> {
    const account = accountOf(await authenticate(this.store, this.config, req, 'kid'));
    const order = await this.ownOrder(orderId, account);
    if (order.status !== 'valid' || !order.certificate) throw new AcmeProblem('malformed', 'no certificate here', { status: 404 });
    return { status: 200, headers: {}, body: order.certificate, contentType: 'application/pem-certificate-chain' };
  }

  /** The requester the policy and the audit see (ADR 0035): the account, the names it validated, its EAB key id. */
  private identity(account: AccountRow, order: OrderRow, urls: AcmeUrls): Identity {
    return {
      method: 'acme-account',
      principal: urls.account(account.id),
      names: order.identifiers.map((i) => ({ type: i.type, value: i.value })),
      groups: [],
      evidence: { acmeOrder: order.id, ...(account.eabKid ? { eabKid: account.eabKid } : {}) },
    };
  }

  /** Asks the CA about an order's waiting request (RetrievePending) and records a decision if there is one. */
  private async poll(order: OrderRow, account: AccountRow, urls: AcmeUrls): Promise<void> {
    const ca = order.ca!;
    const identityAssertion = await this.signer.retrieve(ca, this.identity(account, order, urls), order.requestId!);
    const result = await this.cas.retrieve(ca, { requestId: order.requestId!, identityAssertion, ...(order.retrievalSecret ? { retrievalSecret: order.retrievalSecret } : {}) });
    const outcome = outcomeOf(result);
    if (outcome.status !== 'processing') await this.store.recordOutcome(order.id, outcome);
  }

  private async validate(challengeId: string, input: Parameters<ChallengeValidator['validate']>[0]): Promise<void> {
    let outcome: { ok: true } | { ok: false; error: ProblemDocument };
    try {
      const r = await this.validator.validate(input);
      outcome = r.ok ? { ok: true } : { ok: false, error: problemDocument(r.error.type, r.error.detail, { status: 400, identifier: input.identifier }) };
    } catch (e) {
      this.log.error(`challenge ${challengeId}: the validator failed: ${(e as Error).message}`);
      outcome = { ok: false, error: problemDocument('serverInternal', 'the validation could not be run', { identifier: input.identifier }) };
    }
    await this.store.finishChallenge(challengeId, outcome).catch((e: Error) => this.log.error(`challenge ${challengeId}: cannot record the validation: ${e.message}`));
  }

  private async ownOrder(id: string, account: AccountRow): Promise<OrderRow> {
    let order = await this.store.order(id);
    if (!order || order.accountId !== account.id) throw new AcmeProblem('malformed', 'no such order', { status: 404 });
    if ((order.status === 'pending' || order.status === 'ready') && order.expiresAt.getTime() <= Date.now()) {
      await this.store.expireOrder(id);
      order = (await this.store.order(id))!;
    }
    return order;
  }

  private async orderAnswer(urls: AcmeUrls, order: OrderRow): Promise<AcmeAnswer> {
    const authzs = await this.store.authzsOfOrder(order.id);
    const headers: Record<string, string> = { Location: urls.order(order.id) };
    if (order.status === 'processing') headers['Retry-After'] = String(PROCESSING_RETRY_AFTER_SECONDS);
    return { status: 200, headers, body: orderView(urls, order, authzs.map((a) => a.id)) };
  }

  /** New orders in the window and pending authorisations, per account and per client address (ADR 0035). */
  private async checkOrderLimits(accountId: string, clientIp: string | null, identifiers: number): Promise<void> {
    const l = this.config.limits;
    const byAccount = await this.store.recentOrders({ accountId }, l.windowSeconds);
    checkLimit('new orders for this account', byAccount.count, 1, l.ordersPerAccount, byAccount.retryAfterSeconds);
    checkLimit('pending authorizations for this account', await this.store.pendingAuthzs({ accountId }), identifiers, l.pendingAuthzsPerAccount, PENDING_RETRY_AFTER_SECONDS);
    if (clientIp === null) return;
    const byIp = await this.store.recentOrders({ clientIp }, l.windowSeconds);
    checkLimit('new orders from this address', byIp.count, 1, l.ordersPerIp, byIp.retryAfterSeconds);
    checkLimit('pending authorizations from this address', await this.store.pendingAuthzs({ clientIp }), identifiers, l.pendingAuthzsPerIp, PENDING_RETRY_AFTER_SECONDS);
  }

  /** Failed validations in the window, per account and per client address: a client failing over and over waits. */
  private async checkValidationLimits(accountId: string, clientIp: string | null): Promise<void> {
    const l = this.config.limits;
    const byAccount = await this.store.recentFailedValidations({ accountId }, l.windowSeconds);
    checkLimit('failed validations for this account', byAccount.count, 1, l.failedValidationsPerAccount, byAccount.retryAfterSeconds);
    if (clientIp === null) return;
    const byIp = await this.store.recentFailedValidations({ clientIp }, l.windowSeconds);
    checkLimit('failed validations from this address', byIp.count, 1, l.failedValidationsPerIp, byIp.retryAfterSeconds);
  }

  private profile(raw: unknown): AcmeProfile {
    if (raw === undefined) return this.config.defaultProfile;
    const found = typeof raw === 'string' ? this.config.profiles.find((p) => p.name === raw) : undefined;
    if (!found) throw new AcmeProblem('malformed', `unknown profile; this server offers ${this.config.profiles.map((p) => p.name).join(', ')}`);
    return found;
  }
}

function optionalDate(raw: unknown, field: string): Date | undefined {
  if (raw === undefined) return undefined;
  const d = typeof raw === 'string' ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new AcmeProblem('malformed', `${field} must be an RFC 3339 date`);
  return d;
}

/** The CA's disposition → the order's state (RFC 8555 7.1.6); a denial names its deciding rule. */
export function outcomeOf(r: RequestResult): { status: 'processing' | 'valid' | 'invalid'; certificate?: string; serial?: string; error?: ProblemDocument } {
  switch (r.disposition) {
    case 'issued':
    case 'revoked':
      return { status: 'valid', certificate: [r.certificate!, ...(r.chain ?? [])].map((p) => p.trimEnd() + '\n').join(''), serial: r.serial?.toLowerCase() };
    case 'pending':
    case 'in_process':
      return { status: 'processing' };
    case 'denied': {
      const rule = r.decidedBy ? ` by rule ${r.decidedBy.rule}${r.decidedBy.field ? ` (${r.decidedBy.field})` : ''}` : '';
      return { status: 'invalid', error: problemDocument('unauthorized', `the CA denied request ${r.requestId}${rule}: ${r.message}`, { status: 403, ...(r.decidedBy ? { decidedBy: r.decidedBy } : {}) }) };
    }
    case 'failed':
      return { status: 'invalid', error: problemDocument('serverInternal', `request ${r.requestId} failed at the CA: ${r.message}`, { status: 500 }) };
  }
}
