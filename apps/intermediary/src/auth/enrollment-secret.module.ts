import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { FailureLimiter } from '@signet/http';
import { DiscoveryModule } from '../discovery/discovery.module';
import { AUTHENTICATORS } from './authenticator';
import { loadEnrolleeAuthConfig } from './enrollee-auth.config';
import { ENROLLEE_AUTH_FAILURES, EnrollmentSecretAuthenticator } from './enrollment-secret.authenticator';
import { EnrollmentSecretClient } from './enrollment-secret.client';

/**
 * The enrollment-secret authenticator for the pipeline that asks each
 * configured authenticator in turn (ADR 0026). While it is the only method,
 * `ENROLLMENT_SECRET_AUTHENTICATORS` provides AUTHENTICATORS as `[it]`; with
 * more, the pipeline's own AUTHENTICATORS factory injects
 * EnrollmentSecretAuthenticator with the others.
 */
export const ENROLLMENT_SECRET_AUTHENTICATORS: Provider = {
  provide: AUTHENTICATORS,
  useFactory: (secrets: EnrollmentSecretAuthenticator) => [secrets],
  inject: [EnrollmentSecretAuthenticator],
};

@Module({})
export class EnrollmentSecretAuthModule {
  /** `env` is validated here, at start (SIGNET_AUTH_FAILURE_*); a bad value stops the process naming it. */
  static register(env: NodeJS.ProcessEnv = process.env, now?: () => number): DynamicModule {
    const config = loadEnrolleeAuthConfig(env);
    return {
      module: EnrollmentSecretAuthModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: ENROLLEE_AUTH_FAILURES, useValue: new FailureLimiter({ ...config.failures, now }) },
        EnrollmentSecretClient,
        EnrollmentSecretAuthenticator,
        ENROLLMENT_SECRET_AUTHENTICATORS,
      ],
      exports: [EnrollmentSecretAuthenticator, ENROLLEE_AUTH_FAILURES, AUTHENTICATORS],
    };
  }
}
