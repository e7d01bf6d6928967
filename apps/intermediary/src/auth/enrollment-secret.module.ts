import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { FailureLimiter } from '@signet/http';
import { DiscoveryModule } from '../discovery/discovery.module';
import { type Authenticator } from './authenticator';
import { loadEnrolleeAuthConfig } from './enrollee-auth.config';
import { ENROLLEE_AUTH_FAILURES, EnrollmentSecretAuthenticator } from './enrollment-secret.authenticator';
import { EnrollmentSecretClient } from './enrollment-secret.client';

/**
 * The enrollment-secret authenticator for the pipeline that asks each
 * configured authenticator in turn (ADR 0026): an `Authenticator[]` under
 * its own token, spread into AUTHENTICATORS by the pipeline's factory, as
 * TOKEN_AUTHENTICATORS is for bearer tokens (ADR 0031).
 */
export const ENROLLMENT_SECRET_AUTHENTICATORS = Symbol('ENROLLMENT_SECRET_AUTHENTICATORS');
const enrollmentSecretAuthenticators: Provider = {
  provide: ENROLLMENT_SECRET_AUTHENTICATORS,
  useFactory: (secrets: EnrollmentSecretAuthenticator): Authenticator[] => [secrets],
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
        enrollmentSecretAuthenticators,
      ],
      exports: [EnrollmentSecretAuthenticator, ENROLLEE_AUTH_FAILURES, ENROLLMENT_SECRET_AUTHENTICATORS],
    };
  }
}
