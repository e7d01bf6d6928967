/** Every ACME resource's path (RFC 8555 7.1), under /acme/. Handlers and representations build URLs only here. */
export const ACME_ROOT = '/acme';

export class AcmeUrls {
  /**
   * `base`: scheme://host[:port] the client reached, or SIGNET_ACME_BASE_URL.
   * `profile`: set when the client came through a profile's own directory
   * (/acme/<profile>/directory), whose newOrder orders that profile.
   */
  constructor(
    readonly base: string,
    readonly profile?: string,
  ) {}

  private u(path: string): string {
    return `${this.base}${ACME_ROOT}/${path}`;
  }
  directory = (): string => this.u(this.profile ? `${this.profile}/directory` : 'directory');
  newNonce = (): string => this.u('new-nonce');
  newAccount = (): string => this.u('new-account');
  newOrder = (): string => this.u(this.profile ? `${this.profile}/new-order` : 'new-order');
  keyChange = (): string => this.u('key-change');
  revokeCert = (): string => this.u('revoke-cert');
  renewalInfo = (): string => this.u('renewal-info');
  account = (id: string): string => this.u(`acct/${id}`);
  accountOrders = (id: string): string => this.u(`acct/${id}/orders`);
  order = (id: string): string => this.u(`order/${id}`);
  finalize = (id: string): string => this.u(`order/${id}/finalize`);
  authz = (id: string): string => this.u(`authz/${id}`);
  challenge = (id: string): string => this.u(`chall/${id}`);
  certificate = (orderId: string): string => this.u(`cert/${orderId}`);

  /** The account id a `kid` names, when it is one of this server's account URLs. */
  accountIdOf(kid: string): string | undefined {
    const prefix = this.u('acct/');
    const id = kid.startsWith(prefix) ? kid.slice(prefix.length) : '';
    return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
  }
}
