import { Module, type DynamicModule } from '@nestjs/common';
import { AUTHENTICATORS, type Authenticator } from './authenticator';
import { configuredAuthenticators, EnrolleeAuth } from './enrollee-auth';
import { FrontDoorSigner } from './front-door-signer';

/** Who is asking (EnrolleeAuth) and the signature that tells ca-core (FrontDoorSigner). */
@Module({})
export class AuthModule {
  /** `authenticators`: for tests; otherwise the configured ones. */
  static register(authenticators?: Authenticator[]): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: AUTHENTICATORS, useFactory: () => authenticators ?? configuredAuthenticators() }, EnrolleeAuth, FrontDoorSigner],
      exports: [EnrolleeAuth, FrontDoorSigner],
    };
  }
}
