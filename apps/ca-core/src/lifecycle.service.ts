import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ExitEvent } from '@signet/contracts';
import { DataSource } from 'typeorm';
import { CaKeysService } from './ca/ca-keys.service';
import { CA_CONFIG, type CaConfig } from './config/ca-config';
import { ExitRollCallService } from './exit/roll-call.service';
import { OutboxRelay } from './outbox/outbox.relay';
import { OutboxStore } from './outbox/outbox.store';
import { PolicyClient } from './policy/policy.client';
import { ModuleRegistry } from './registry/module.registry';
import { IssuanceBatches } from './requests/issuance-batches';
import { StrandedSweeper } from './requests/stranded.sweeper';

/**
 * AD CS service start and stop: load the CA key, recover interrupted
 * requests (and keep sweeping for them), start the outbox relay, announce
 * startup, and initialize the policy module (retried until it answers).
 * Runs before the bus server subscribes, so no request arrives before the
 * CA is ready.
 */
@Injectable()
export class LifecycleService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('Lifecycle');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly ds: DataSource,
    private readonly keys: CaKeysService,
    private readonly stranded: StrandedSweeper,
    private readonly relay: OutboxRelay,
    private readonly outbox: OutboxStore,
    private readonly policy: PolicyClient,
    private readonly registry: ModuleRegistry,
    private readonly exitRollCall: ExitRollCallService,
    private readonly batches: IssuanceBatches,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.keys.load();
    // Requests a dead process left in process: parked now, and then as their leases run out (ADR 0034).
    await this.stranded.start();
    await this.ds.transaction((m) => this.outbox.enqueue(m, this.config.caName, ExitEvent.CaStartup, { message: `CA ${this.config.caName} started` }));
    this.relay.start();
    this.policy.startInitialize(this.keys.caInfo(), async (info) => {
      await this.registry.record({ kind: 'policy', name: info.name, description: info.description, version: info.version, eventMask: 0 });
    });
    // ICertExit::Initialize: ask the exit modules present now, in the background (never blocks start-up).
    this.exitRollCall.start(this.keys.caInfo());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.policy.stop();
    await this.stranded.stop();
    // Batches being written finish before the connections close.
    await this.batches.drain().catch((e) => this.log.warn(`a batch failed at shutdown: ${(e as Error).message}`));
    await this.ds
      .transaction((m) => this.outbox.enqueue(m, this.config.caName, ExitEvent.CaShutdown, { message: `CA ${this.config.caName} stopping` }))
      .catch((e) => this.log.warn(`could not record shutdown: ${(e as Error).message}`));
    await this.relay.stop();
  }
}
