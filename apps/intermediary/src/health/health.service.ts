import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, SignetError } from '@signet/contracts';
import { NATS_CONNECTION } from '../bus/ca-client';
import { DiscoveryService } from '../discovery/discovery.service';

/** How long a bus round-trip may take before the bus counts as down. */
const BUS_PING_TIMEOUT_MS = 1_000;

export interface Readiness {
  status: 'ready';
  bus: 'connected';
  cas: number;
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly discovery: DiscoveryService,
  ) {}

  /**
   * Ready = the bus answers a ping and at least one CA is on it. Anything
   * less is a 503 (with Retry-After), so a load balancer takes this replica
   * out of rotation until it can submit somewhere.
   */
  async readiness(): Promise<Readiness> {
    const bus = await this.busUp();
    const cas = bus ? (await this.discovery.list()).length : 0;
    if (!bus || cas === 0) {
      throw new SignetError(ErrorCode.CaUnavailable, bus ? 'not ready: no CA discovered on the bus' : 'not ready: the bus is not connected', {
        bus: bus ? 'connected' : 'disconnected',
        cas,
      });
    }
    return { status: 'ready', bus: 'connected', cas };
  }

  private async busUp(): Promise<boolean> {
    if (this.nc.isClosed() || this.nc.isDraining()) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), BUS_PING_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.nc.rtt().then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
