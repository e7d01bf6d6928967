import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, isSignetError, type Principal } from '@signet/contracts';
import { AdminClient } from '../bus/admin-client';
import { NOW, type Now } from '../clock';
import { CONFIG, type AdminConfig } from '../config/config';
import { bearerToken, invalidToken, revokedToken, tokenSha256 } from './bearer';
import { PrincipalCache } from './principal-cache';

/** Codes with which ca-core may refuse a token; all mean "not a valid token" to the caller. */
const REFUSED: ReadonlySet<string> = new Set([ErrorCode.Unauthorized, ErrorCode.NotFound, ErrorCode.Forbidden]);

/**
 * Bearer token → principal. admin-api hashes the token and asks ca-core
 * (Commands.adminAuthenticate), which holds the token table; positive
 * answers are cached briefly by hash so every call does not cost a
 * round-trip. Revocations reach the cache at once (`revoked`, from the
 * notice every replica hears and from this replica's own revoke call;
 * ADR 0024).
 */
@Injectable()
export class Authenticator {
  private readonly cache: PrincipalCache;

  constructor(
    private readonly client: AdminClient,
    @Inject(CONFIG) config: AdminConfig,
    @Inject(NOW) now: Now,
  ) {
    this.cache = new PrincipalCache(config.authCacheMs, 1_000, now);
  }

  async authenticate(authorization: string | string[] | undefined): Promise<Principal> {
    const hash = tokenSha256(bearerToken(authorization));
    const cached = this.cache.get(hash);
    if (cached) return cached;
    let epoch: number | undefined;
    let principal: Principal;
    try {
      ({ epoch, ...principal } = await this.client.call('adminAuthenticate', { tokenSha256: hash }));
    } catch (e) {
      // CA_UNAVAILABLE stays a 503: the token may be fine, the CA is not there.
      if (isSignetError(e) && REFUSED.has(e.code)) throw e.details?.reason === 'revoked_token' ? revokedToken() : invalidToken();
      throw e;
    }
    this.cache.set(hash, principal, epoch ?? 0);
    return principal;
  }

  /** A token was revoked, raising the CA's revocation epoch: nothing cached before it is trusted again. */
  revoked(name: string, epoch: number): void {
    this.cache.revoked(name, epoch);
  }

  /** The bus connection dropped: notices may have been missed, so forget every answer. */
  forgetAll(): void {
    this.cache.clear();
  }

  /** Revocation notices can no longer be heard: ask ca-core on every call from now on. */
  stopCaching(): void {
    this.cache.suspend();
  }
}
