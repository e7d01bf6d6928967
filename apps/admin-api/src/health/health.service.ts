import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import { busAnswers, discoverCas } from '@signet/bus';
import { ErrorCode, SignetError } from '@signet/contracts';
import { NATS_CONNECTION } from '../bus/admin-client';
import { CONFIG, type AdminConfig } from '../config/config';

/** How long the CA is given to answer discovery. */
const DISCOVERY_WAIT_MS = 250;

export interface Readiness {
  status: 'ready';
  bus: 'connected';
  ca: string;
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONFIG) private readonly config: AdminConfig,
  ) {}

  /**
   * Ready = the bus answers a ping and this admin-api's CA answers on it.
   * Anything less is a 503 (with Retry-After), so a load balancer takes this
   * replica out of rotation until it can reach its CA.
   */
  async readiness(): Promise<Readiness> {
    const bus = await busAnswers(this.nc);
    const ca = bus && (await discoverCas(this.nc, DISCOVERY_WAIT_MS)).some((c) => c.name === this.config.caName);
    if (!bus || !ca) {
      throw new SignetError(ErrorCode.CaUnavailable, bus ? `not ready: CA "${this.config.caName}" does not answer on the bus` : 'not ready: the bus is not connected', {
        bus: bus ? 'connected' : 'disconnected',
        ca: this.config.caName,
      });
    }
    return { status: 'ready', bus: 'connected', ca: this.config.caName };
  }
}
