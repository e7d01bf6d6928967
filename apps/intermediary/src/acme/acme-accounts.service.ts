import { Inject, Injectable } from '@nestjs/common';
import { type JWK } from 'jose';
import { ACME_CONFIG, ACME_STORE } from './acme.tokens';
import { type AcmeConfig } from './acme.config';
import { type AcmeStore } from './acme.store';
import { accountOf, authenticate, type AcmeHttpRequest } from './acme-request';
import { accountView } from './acme.views';
import { type AcmeAnswer } from './acme.answer';
import { checkAccountKey, checkUrl, parseJws, thumbprint, verifyExternalAccountBinding, verifyJws } from './jws';
import { AcmeProblem } from './problem';

const MAX_CONTACTS = 10;

/** mailto: addresses only (RFC 8555 7.3), a handful, each one address. */
export function parseContact(raw: unknown): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > MAX_CONTACTS) throw new AcmeProblem('invalidContact', `contact must be an array of at most ${MAX_CONTACTS} mailto: URLs`);
  return raw.map((c) => {
    if (typeof c !== 'string' || !c.startsWith('mailto:')) throw new AcmeProblem('unsupportedContact', 'only mailto: contacts are supported');
    const address = c.slice('mailto:'.length);
    if (address.length > 254 || !/^[^\s@,?]+@[^\s@,?]+\.[^\s@,?]+$/.test(address)) throw new AcmeProblem('invalidContact', 'a contact is not one mail address');
    return c;
  });
}

/** Accounts (RFC 8555 7.3): creation with optional or required EAB, lookup, update, deactivation, key rollover. */
@Injectable()
export class AcmeAccountsService {
  constructor(
    @Inject(ACME_STORE) private readonly store: AcmeStore,
    @Inject(ACME_CONFIG) private readonly config: AcmeConfig,
  ) {}

  async newAccount(req: AcmeHttpRequest): Promise<AcmeAnswer> {
    const { payload, jwk } = await authenticate(this.store, this.config, req, 'jwk');
    const p = payload ?? {};
    const tp = await thumbprint(jwk);
    const existing = await this.store.accountByThumbprint(tp);
    // RFC 8555 7.3.6: a deactivated account's key authorises nothing more, not even finding the account.
    if (existing && existing.status !== 'valid') throw new AcmeProblem('unauthorized', `the account with this key is ${existing.status}`);
    if (existing) return { status: 200, headers: { Location: req.urls.account(existing.id) }, body: accountView(req.urls, existing) };
    if (p.onlyReturnExisting === true) throw new AcmeProblem('accountDoesNotExist', 'no account has this key');
    if (this.config.termsOfService && p.termsOfServiceAgreed !== true) throw new AcmeProblem('malformed', `the terms of service (${this.config.termsOfService}) must be agreed to`);
    const contact = parseContact(p.contact);
    let eabKid: string | undefined;
    if (p.externalAccountBinding !== undefined) {
      eabKid = await verifyExternalAccountBinding(p.externalAccountBinding, jwk, req.url, (kid) => this.store.unboundEabKey(kid));
    } else if (this.config.eabRequired) {
      throw new AcmeProblem('externalAccountRequired', 'this server requires an external account binding (ask the operator for a key id and MAC key)');
    }
    const { account, created } = await this.store.createAccount({ jwk, thumbprint: tp, contact, tosAgreed: p.termsOfServiceAgreed === true, eabKid });
    return { status: created ? 201 : 200, headers: { Location: req.urls.account(account.id) }, body: accountView(req.urls, account) };
  }

  /** POST to the account URL: read (POST-as-GET or {}), contact update, deactivation. */
  async account(req: AcmeHttpRequest, id: string): Promise<AcmeAnswer> {
    const auth = await authenticate(this.store, this.config, req, 'kid');
    let account = accountOf(auth);
    if (account.id !== id) throw new AcmeProblem('unauthorized', 'the account URL is not the signing account');
    const p = auth.payload ?? {};
    if (p.status !== undefined && p.status !== 'deactivated') throw new AcmeProblem('malformed', 'an account can only be changed to status "deactivated"');
    if (p.contact !== undefined || p.status !== undefined) {
      account = await this.store.updateAccount(id, { ...(p.contact !== undefined ? { contact: parseContact(p.contact) } : {}), ...(p.status === 'deactivated' ? { status: 'deactivated' as const } : {}) });
    }
    return { status: 200, headers: { Location: req.urls.account(id) }, body: accountView(req.urls, account) };
  }

  /** The account's orders (RFC 8555 7.1.2.1), newest first. */
  async orders(req: AcmeHttpRequest, id: string): Promise<AcmeAnswer> {
    const account = accountOf(await authenticate(this.store, this.config, req, 'kid'));
    if (account.id !== id) throw new AcmeProblem('unauthorized', 'these are not the signing account\'s orders');
    const orders = await this.store.ordersOf(id, 1000);
    return { status: 200, headers: {}, body: { orders: orders.filter((o) => o.status !== 'invalid').map((o) => req.urls.order(o.id)) } };
  }

  /**
   * Key rollover (RFC 8555 7.3.5): the outer JWS is signed by the account's
   * key; its payload is a JWS signed by the new key over {account, oldKey},
   * for the same URL, without a nonce.
   */
  async keyChange(req: AcmeHttpRequest): Promise<AcmeAnswer> {
    const auth = await authenticate(this.store, this.config, req, 'kid');
    const account = accountOf(auth);
    const inner = auth.payload;
    if (!inner) throw new AcmeProblem('malformed', 'keyChange needs an inner JWS as its payload');
    const parsed = parseJws(JSON.stringify(inner), this.config.maxJwsBytes, { inner: true });
    checkUrl(parsed, req.url);
    if (!parsed.header.jwk) throw new AcmeProblem('malformed', 'the inner JWS must carry the new key in "jwk"');
    const newKey: JWK = parsed.header.jwk;
    checkAccountKey(newKey, parsed.header.alg);
    const body = await verifyJws(parsed, newKey);
    if (!body || body.account !== req.urls.account(account.id)) throw new AcmeProblem('malformed', 'the inner payload must name this account');
    if (typeof body.oldKey !== 'object' || body.oldKey === null || (await thumbprint(body.oldKey as JWK).catch(() => '')) !== account.thumbprint) {
      throw new AcmeProblem('malformed', 'the inner payload\'s oldKey is not the account\'s key');
    }
    const tp = await thumbprint(newKey);
    const holder = await this.store.accountByThumbprint(tp);
    if (holder) throw new AcmeProblem('malformed', 'another account already uses the new key', { status: 409, fields: {} });
    const updated = await this.store.changeKey(account.id, newKey, tp);
    return { status: 200, headers: { Location: req.urls.account(account.id) }, body: accountView(req.urls, updated) };
  }
}
