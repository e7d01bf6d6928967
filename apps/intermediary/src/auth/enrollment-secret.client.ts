import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import { BusClient } from '@signet/bus';
import { Commands, ErrorCode, isSignetError, type EnrollmentSecretBinding } from '@signet/contracts';
import { NATS_CONNECTION, toPublicError } from '../bus/ca-client';
import { CONFIG, type IntermediaryConfig } from '../config/config';

/**
 * The one ca-core command enrollment-secret authentication needs
 * (`ca.<ca>.enrollment-secret.check`; only the intermediary's NATS user may
 * publish it). ca-core answers the binding or UNAUTHORIZED, the same for
 * every reason a secret does not hold.
 */
@Injectable()
export class EnrollmentSecretClient {
  private readonly bus: BusClient;

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection, @Inject(CONFIG) config: IntermediaryConfig) {
    this.bus = new BusClient(nc, config.caTimeoutMs);
  }

  async check(ca: string, presented: { id: string; secret: string; retryOf?: string }): Promise<EnrollmentSecretBinding> {
    try {
      return await this.bus.call(Commands.enrollmentSecretCheck, ca, presented);
    } catch (e) {
      // Here UNAUTHORIZED is about the enrollee's secret (the one refusal), not this front door's signature.
      if (isSignetError(e) && e.code === ErrorCode.Unauthorized) throw e;
      throw toPublicError(e, ca);
    }
  }
}
