import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ENROLLMENT_SECRET_REFUSED,
  ErrorCode,
  hasCode,
  SignetError,
  splitEnrollmentCredential,
  type EnrollmentSecretBinding,
  type Identity,
} from '@signet/contracts';
import { FailureLimiter, sourceKey, type HttpRequest } from '@signet/http';
import { DiscoveryService } from '../discovery/discovery.service';
import { type AuthContext, type Authenticator } from './authenticator';
import { parseBasic } from './basic';
import { EnrollmentSecretClient } from './enrollment-secret.client';

/** DI token of the per-source limiter of failed enrollee authentications (ADR 0024's, in this process). */
export const ENROLLEE_AUTH_FAILURES = Symbol('EnrolleeAuthFailures');

/** The one 401 for a secret that does not hold, whatever the reason (ADR 0032). */
export function secretRefused(): SignetError {
  return new SignetError(ErrorCode.Unauthorized, ENROLLMENT_SECRET_REFUSED.message, { reason: ENROLLMENT_SECRET_REFUSED.reason });
}

/** The identity a checked secret proves: its names, template, groups and subject, spendable once. */
export function identityOf(b: EnrollmentSecretBinding): Identity {
  return {
    method: 'enrollment-secret',
    principal: b.id,
    names: b.names,
    groups: b.groups,
    template: b.template,
    ...(b.subject ? { subject: b.subject } : {}),
    oneTime: b.oneTime,
    evidence: { secretId: b.id, createdBy: b.createdBy },
  };
}

/**
 * The CA a request is for, as the request names it (`?ca=` or a JSON
 * body's `ca`); undefined → the default CA. An enrollment secret belongs to
 * one CA, so it is checked there. Front doors whose routes name the CA
 * (EST labels, SCEP URLs) will pass it instead.
 */
export function requestedCa(req: HttpRequest): string | undefined {
  const q = req.query?.ca;
  if (typeof q === 'string' && q !== '') return q;
  const body = req.body as { ca?: unknown } | undefined;
  return body && typeof body === 'object' && !Buffer.isBuffer(body) && typeof body.ca === 'string' && body.ca !== '' ? body.ca : undefined;
}

/**
 * Enrollment secrets (ADR 0032) as EST clients present them:
 * `Authorization: Basic base64(<id>:<secret>)`. A SCEP front door passes
 * the challengePassword (the whole `<id>:<secret>`) to `fromCredential`.
 *
 * A source whose credentials were refused too often within the window gets
 * 429 RATE_LIMITED with Retry-After, its credential unchecked and ca-core
 * not asked; every refused credential (wrong, expired, revoked, used,
 * malformed) counts, a request without one does not. The log names the
 * secret's id when it has the form of one, never the secret.
 */
@Injectable()
export class EnrollmentSecretAuthenticator implements Authenticator {
  readonly method = 'enrollment-secret' as const;
  private readonly log = new Logger('EnrollmentSecrets');

  constructor(
    private readonly client: EnrollmentSecretClient,
    private readonly discovery: DiscoveryService,
    @Inject(ENROLLEE_AUTH_FAILURES) private readonly failures: FailureLimiter,
  ) {}

  async authenticate(req: HttpRequest, ctx?: AuthContext): Promise<Identity | undefined> {
    const basic = parseBasic(req.headers.authorization);
    if (basic === undefined) return undefined;
    const source = sourceKey(req.ip);
    this.failures.assertAllowed(source);
    if (basic === 'malformed') throw this.refuse(source, 'a malformed Basic header');
    const ca = (await this.discovery.resolve(requestedCa(req))).name;
    // A retry (EST after a 202) may present the secret its first attempt spent: ca-core lets it hold for that request only.
    const retryOf = ctx?.retryKeyFor?.({ method: this.method, principal: basic.userId });
    return this.check(ca, { id: basic.userId, secret: basic.password, ...(retryOf ? { retryOf } : {}) }, source);
  }

  /** A credential given some other way (a SCEP challengePassword): `<id>:<secret>` for CA `ca`, counted under `source`. */
  async fromCredential(ca: string, credential: string, source: string): Promise<Identity> {
    this.failures.assertAllowed(source);
    const presented = splitEnrollmentCredential(credential);
    if (!presented) throw this.refuse(source, 'a credential without a colon');
    return this.check(ca, presented, source);
  }

  private async check(ca: string, presented: { id: string; secret: string; retryOf?: string }, source: string): Promise<Identity> {
    try {
      const binding = await this.client.check(ca, presented);
      return identityOf(binding);
    } catch (e) {
      // Refused counts; an unreachable CA (503) says nothing about the secret and does not.
      if (hasCode(e, ErrorCode.Unauthorized)) throw this.refuse(source, /^es-[0-9a-f]{16}$/.test(presented.id) ? `secret ${presented.id}` : 'an unknown id');
      throw e;
    }
  }

  private refuse(source: string, what: string): SignetError {
    this.failures.fail(source);
    const now = this.failures.check(source);
    this.log.warn(`enrollment secret refused from ${source}: ${what}${now.ok ? '' : `; refusing that source for ${now.retryAfterSeconds} s`}`);
    return secretRefused();
  }
}
