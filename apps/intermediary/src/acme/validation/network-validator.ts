import { Logger } from '@nestjs/common';
import { AddressPolicy } from './address-policy';
import { ChallengeValidator, type ValidationInput, type ValidationResult } from './challenge-validator';
import { ValidationDns } from './dns';
import { validateDns01 } from './dns01';
import { validateHttp01 } from './http01';
import { checkInput } from './names';
import { Deadline, ValidationFailure } from './outcome';
import { validateTlsAlpn01 } from './tls-alpn01';
import type { AcmeValidationConfig } from './validation.config';
import type { ValidationContext } from './context';

/**
 * The ChallengeValidator that goes on the network (ADR 0036): http-01,
 * dns-01 and tls-alpn-01 within one deadline each, through the configured
 * DNS servers and ports, never to an address the policy forbids.
 */
export class NetworkChallengeValidator extends ChallengeValidator {
  private readonly logger = new Logger('AcmeValidation');
  private readonly policy: AddressPolicy;

  constructor(readonly config: AcmeValidationConfig) {
    super();
    this.policy = new AddressPolicy({ allowPrivate: config.allowPrivateAddresses, allowed: config.allowedAddresses });
  }

  async validate(input: ValidationInput): Promise<ValidationResult> {
    const deadline = new Deadline(this.config.timeoutMs);
    const ctx: ValidationContext = { config: this.config, policy: this.policy, dns: new ValidationDns(this.config.dnsResolvers, deadline), deadline };
    try {
      const id = checkInput(input);
      switch (input.type) {
        case 'http-01':
          return await validateHttp01(id, input.token, input.keyAuthorization, ctx);
        case 'dns-01':
          return await validateDns01(id, input.keyAuthorization, ctx);
        case 'tls-alpn-01':
          return await validateTlsAlpn01(id, input.keyAuthorization, ctx);
        default:
          return { ok: false, error: { type: 'malformed', detail: 'unsupported challenge type' } };
      }
    } catch (e) {
      if (e instanceof ValidationFailure) return { ok: false, error: { type: e.type, detail: e.detail } };
      // A bug here must fail the one challenge, not the process; the stack goes to the log only.
      this.logger.error(`${input?.type} validation failed unexpectedly: ${(e as Error)?.stack ?? String(e)}`);
      return { ok: false, error: { type: 'connection', detail: 'the validation failed for an internal reason' } };
    }
  }
}
