import { type NatsConnection } from '@nats-io/transport-node';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AcmeModule } from './acme/acme.module';
import { ChallengeValidator } from './acme/validation/challenge-validator';
import { type Authenticator } from './auth/authenticator';
import { BusModule } from './bus/bus.module';
import { CasModule } from './cas/cas.module';
import { type IntermediaryConfig } from './config/config';
import { EstModule } from './est/est.module';
import { HealthModule } from './health/health.module';
import { OpenApiModule } from './openapi/openapi.module';
import { RequestsModule } from './requests/requests.module';
import { RevocationModule } from './revocation/revocation.module';
import { ScepModule } from './scep/scep.module';
import { AcmeValidationModule } from './acme/validation/validation.module';
import { TlsModule } from './tls/tls.module';

@Module({})
export class AppModule {
  /** The configuration and the bus connection come from outside (main.ts or a test). */
  static register(config: IntermediaryConfig, connection: NatsConnection, opts: { authenticators?: Authenticator[]; challengeValidator?: ChallengeValidator } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BusModule.register(config, connection),
        RequestsModule.register(opts.authenticators),
        EstModule.register(opts.authenticators),
        CasModule,
        HealthModule,
        OpenApiModule,
        RevocationModule,
        TlsModule,
        ScepModule.register(),
        ...(config.acme ? [AcmeModule.register(config.acme, acmeValidation(opts.challengeValidator))] : []),
      ],
    };
  }
}

/**
 * Where ACME's ChallengeValidator comes from: a test's own, else the
 * validators' module (src/acme/validation, ADR 0036), configured from the
 * SIGNET_ACME_* validation variables.
 */
function acmeValidation(validator?: ChallengeValidator): { imports?: DynamicModule['imports']; providers?: Provider[] } {
  if (validator) return { providers: [{ provide: ChallengeValidator, useValue: validator }] };
  return { imports: [AcmeValidationModule] };
}
