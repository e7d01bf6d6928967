import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { TLS_AUTHENTICATORS, TlsModule } from '../tls/tls.module';
import { AUTHENTICATORS, type Authenticator } from './authenticator';
import { EnrolleeAuth } from './enrollee-auth';
import { ENROLLMENT_SECRET_AUTHENTICATORS, EnrollmentSecretAuthModule } from './enrollment-secret.module';
import { FrontDoorSigner } from './front-door-signer';
import { tokenAuthenticators } from './tokens.providers';

/**
 * Who is asking (EnrolleeAuth) and the signature that tells ca-core
 * (FrontDoorSigner). The configured methods are asked in this order: a TLS
 * client certificate (ADR 0029), then a Bearer token (enrollment token or
 * OIDC ID token, ADR 0031), then Basic credentials (enrollment secret,
 * ADR 0032). Each answers only for its own kind of credential, so the order
 * decides only when a client sends two: the certificate wins.
 */
@Module({})
export class AuthModule {
  /** `authenticators`: for tests; otherwise the configured ones. */
  static register(authenticators?: Authenticator[]): DynamicModule {
    const configured: Provider = {
      provide: AUTHENTICATORS,
      useFactory: (config: IntermediaryConfig, tls: Authenticator[], secrets: Authenticator[]): Authenticator[] => [...tls, ...tokenAuthenticators(config.tokens), ...secrets],
      inject: [CONFIG, TLS_AUTHENTICATORS, ENROLLMENT_SECRET_AUTHENTICATORS],
    };
    return {
      module: AuthModule,
      // Given authenticators (tests) still get the per-source failure limiter (SIGNET_AUTH_FAILURE_*) the module provides.
      imports: authenticators ? [EnrollmentSecretAuthModule.register()] : [TlsModule, EnrollmentSecretAuthModule.register()],
      providers: [authenticators ? { provide: AUTHENTICATORS, useValue: authenticators } : configured, EnrolleeAuth, FrontDoorSigner],
      exports: [EnrolleeAuth, FrontDoorSigner],
    };
  }
}
