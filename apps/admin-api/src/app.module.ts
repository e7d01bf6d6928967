import { type NatsConnection } from '@nats-io/transport-node';
import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BusModule } from './bus/bus.module';
import { CertificatesModule } from './certificates/certificates.module';
import { type Now } from './clock';
import { CrlsModule } from './crls/crls.module';
import { type AdminConfig } from './config/config';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { EnrollmentSecretsModule } from './enrollment-secrets/enrollment-secrets.module';
import { HealthModule } from './health/health.module';
import { MeModule } from './me/me.module';
import { ModulesModule } from './modules/modules.module';
import { OpenApiModule } from './openapi/openapi.module';
import { RequestsModule } from './requests/requests.module';
import { TokensModule } from './tokens/tokens.module';
import { ViewModule } from './view/view.module';

@Module({})
export class AppModule {
  /** The configuration, the bus connection and the clock come from outside (main.ts or a test). */
  static register(config: AdminConfig, connection: NatsConnection, now?: Now): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BusModule.register(config, connection, now),
        AuthModule,
        RequestsModule,
        CertificatesModule,
        CrlsModule,
        ViewModule,
        ModulesModule,
        AuditModule,
        TokensModule,
        EnrollmentSecretsModule,
        DeadLettersModule,
        MeModule,
        HealthModule,
        OpenApiModule,
      ],
    };
  }
}
