import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import { BusClient } from '@signet/bus';
import { Commands, ErrorCode, SignetError, type CaRecord } from '@signet/contracts';
import { NATS_CONNECTION } from '../bus/ca-client';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { DiscoveryService } from '../discovery/discovery.service';
import { assessReadiness, READY, type Component, type ComponentStatus, type Readiness as Assessment } from './readiness';

/** How long a bus round-trip may take before the bus counts as down. */
const BUS_PING_TIMEOUT_MS = 1_000;
/** How long exit-service is given to answer its status subject. */
const EXIT_SERVICE_TIMEOUT_MS = 1_000;

export interface Readiness {
  status: 'ready';
  bus: 'connected';
  cas: number;
  /** The default CA, which answered with its key loaded and its policy module initialized. */
  ca: string;
  components: Record<Component, ComponentStatus>;
}

@Injectable()
export class HealthService {
  private readonly bus: BusClient;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONFIG) private readonly config: IntermediaryConfig,
    private readonly discovery: DiscoveryService,
  ) {
    this.bus = new BusClient(nc, EXIT_SERVICE_TIMEOUT_MS);
  }

  /**
   * Ready = a client request sent now is handled by the whole CA: the bus
   * answers a ping, the default CA answers with its key loaded and its
   * policy module initialized, and (SIGNET_READY_EXIT_SERVICE) exit-service
   * answers (readiness.ts). Anything less is a 503 (with Retry-After) whose
   * message names the first component that is not ready and why, so a load
   * balancer takes this replica out of rotation and `npm start` waits.
   */
  async readiness(): Promise<Readiness> {
    const bus = await this.busUp();
    let cas = bus ? await this.discovery.fresh() : undefined;
    let r = await this.assess(bus, cas);
    // The cached list may predate what is awaited (a policy initialized a moment ago): ask the bus before saying no.
    if (!r.ready && bus) r = await this.assess(bus, (cas = await this.discovery.refresh()));
    if (!r.ready) {
      throw new SignetError(ErrorCode.CaUnavailable, `not ready: ${r.reason}`, {
        bus: bus ? 'connected' : 'disconnected',
        cas: cas?.length ?? 0,
        ...(r.ca ? { ca: r.ca } : {}),
        components: r.components,
      });
    }
    return { status: 'ready', bus: 'connected', cas: cas!.length, ca: r.ca!, components: r.components };
  }

  private async assess(bus: boolean, cas: CaRecord[] | undefined): Promise<Assessment> {
    const first = assessReadiness({ bus, cas, configuredDefault: this.config.defaultCa, exitService: this.config.ready.exitService ? 'not asked yet' : undefined });
    if (!this.config.ready.exitService || first.components.ca !== READY) return first;
    return assessReadiness({ bus, cas, configuredDefault: this.config.defaultCa, exitService: await this.exitServiceAnswers(first.ca!) });
  }

  /** exit-service serves `exit.<ca>.status` once its modules' consumers are bound. */
  private async exitServiceAnswers(ca: string): Promise<string> {
    try {
      await this.bus.call(Commands.exitStatus, ca, {}, { timeoutMs: EXIT_SERVICE_TIMEOUT_MS });
      return READY;
    } catch (e) {
      return `exit-service does not answer ${Commands.exitStatus.subject(ca)} (${(e as Error).message})`;
    }
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
