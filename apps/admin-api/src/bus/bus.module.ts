import { type NatsConnection } from '@nats-io/transport-node';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NOW, type Now } from '../clock';
import { CONFIG, type AdminConfig } from '../config/config';
import { AdminClient, NATS_CONNECTION } from './admin-client';

/**
 * Provides the validated configuration, the NATS connection (opened by
 * main.ts, or by a test), the clock and the admin client to every feature module.
 */
@Global()
@Module({})
export class BusModule {
  static register(config: AdminConfig, connection: NatsConnection, now: Now = Date.now): DynamicModule {
    return {
      module: BusModule,
      providers: [{ provide: CONFIG, useValue: config }, { provide: NATS_CONNECTION, useValue: connection }, { provide: NOW, useValue: now }, AdminClient],
      exports: [CONFIG, NATS_CONNECTION, NOW, AdminClient],
    };
  }
}
