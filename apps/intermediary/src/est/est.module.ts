import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { type Authenticator } from '../auth/authenticator';
import { DiscoveryModule } from '../discovery/discovery.module';
import { EstController } from './est.controller';
import { EstService } from './est.service';

/** EST (RFC 7030, RFC 8951; ADR 0039) on the HTTPS listener. */
@Module({})
export class EstModule {
  /** `authenticators`: for tests; otherwise the configured ones (AuthModule). */
  static register(authenticators?: Authenticator[]): DynamicModule {
    return { module: EstModule, imports: [DiscoveryModule, AuthModule.register(authenticators)], controllers: [EstController], providers: [EstService] };
  }
}
