import { type NatsConnection } from '@nats-io/transport-node';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { CaClient, NATS_CONNECTION } from './ca-client';

/**
 * Provides the validated configuration, the NATS connection (opened by
 * main.ts, or by a test) and the CA client to every feature module.
 */
@Global()
@Module({})
export class BusModule {
  static register(config: IntermediaryConfig, connection: NatsConnection): DynamicModule {
    return {
      module: BusModule,
      providers: [{ provide: CONFIG, useValue: config }, { provide: NATS_CONNECTION, useValue: connection }, CaClient],
      exports: [CONFIG, NATS_CONNECTION, CaClient],
    };
  }
}
