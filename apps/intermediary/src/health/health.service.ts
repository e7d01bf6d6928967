import { errors, type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { busAnswers, encodeJson } from '@signet/bus';
import { Commands, ErrorCode, SignetError, type CaRecord } from '@signet/contracts';
import { type AcmeReadiness } from '../acme/acme.readiness';
import { ACME_READINESS } from '../acme/acme.tokens';
import { NATS_CONNECTION } from '../bus/ca-client';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { DiscoveryService } from '../discovery/discovery.service';
import { TlsCertificates } from '../tls/tls-certificates.service';
import { assessReadiness, READY, type Component, type ComponentStatus, type Readiness as Assessment } from './readiness';

/** How long a subscribed exit-service may take to answer before it counts as busy (still up). */
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
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONFIG) private readonly config: IntermediaryConfig,
    private readonly discovery: DiscoveryService,
    private readonly tls: TlsCertificates,
    /** Present when ACME is on (AcmeModule is global). */
    @Optional() @Inject(ACME_READINESS) private readonly acme?: AcmeReadiness,
  ) {}

  /**
   * Ready = a client request sent now is handled by the whole CA: the bus
   * answers a ping, the default CA answers with its key loaded and its
   * policy module initialized, (SIGNET_READY_EXIT_SERVICE) exit-service
   * answers, and with ACME on its database answers (readiness.ts). Anything less is a 503 (with Retry-After) whose
   * message names the first component that is not ready and why, so a load
   * balancer takes this replica out of rotation and `npm start` waits.
   */
  async readiness(): Promise<Readiness> {
    const bus = await busAnswers(this.nc);
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
    const tls = this.tls.enabled ? this.tls.status() : undefined;
    const acme = await this.acme?.status();
    const first = assessReadiness({ bus, cas, configuredDefault: this.config.defaultCa, exitService: this.config.ready.exitService ? 'not asked yet' : undefined, tls, acme });
    if (!this.config.ready.exitService || first.components.ca !== READY) return first;
    return assessReadiness({ bus, cas, configuredDefault: this.config.defaultCa, exitService: await this.exitServiceAnswers(first.ca!), tls, acme });
  }

  /**
   * exit-service subscribes to `exit.<ca>.status` once its modules' consumers
   * are bound. Subscribed is what counts: an answer, or no answer in time (on
   * the CA's host it runs at the lowest CPU priority and may wait for the CPU, ADR 0021);
   * only "no responders" (nobody subscribed) means it is not up.
   */
  private async exitServiceAnswers(ca: string): Promise<string> {
    const subject = Commands.exitStatus.subject(ca);
    try {
      await this.nc.request(subject, encodeJson({}), { timeout: EXIT_SERVICE_TIMEOUT_MS });
      return READY;
    } catch (e) {
      const cause = (e as Error)?.cause;
      if ((e instanceof errors.RequestError && e.isNoResponders()) || e instanceof errors.NoRespondersError || cause instanceof errors.NoRespondersError) {
        return `exit-service is not serving ${subject}`;
      }
      if (e instanceof errors.TimeoutError || cause instanceof errors.TimeoutError) return READY;
      return `exit-service: ${subject} failed (${(e as Error)?.message ?? 'unknown'})`;
    }
  }
}
