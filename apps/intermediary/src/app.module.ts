import { type NatsConnection } from '@nats-io/transport-node';
import { Module, type DynamicModule } from '@nestjs/common';
import { type Authenticator } from './auth/authenticator';
import { BusModule } from './bus/bus.module';
import { CasModule } from './cas/cas.module';
import { type IntermediaryConfig } from './config/config';
import { EstModule } from './est/est.module';
import { HealthModule } from './health/health.module';
import { OpenApiModule } from './openapi/openapi.module';
import { RequestsModule } from './requests/requests.module';
import { RevocationModule } from './revocation/revocation.module';
import { TlsModule } from './tls/tls.module';

@Module({})
export class AppModule {
  /** The configuration and the bus connection come from outside (main.ts or a test). */
  static register(config: IntermediaryConfig, connection: NatsConnection, opts: { authenticators?: Authenticator[] } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [BusModule.register(config, connection), RequestsModule.register(opts.authenticators), EstModule.register(opts.authenticators), CasModule, HealthModule, OpenApiModule, RevocationModule, TlsModule],
    };
  }
}
