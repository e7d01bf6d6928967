import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { type Authenticator } from '../auth/authenticator';
import { DiscoveryModule } from '../discovery/discovery.module';
import { RequestsController } from './requests.controller';
import { RequestsService } from './requests.service';

@Module({})
export class RequestsModule {
  /** `authenticators`: for tests; otherwise the configured ones (AuthModule). */
  static register(authenticators?: Authenticator[]): DynamicModule {
    return { module: RequestsModule, imports: [DiscoveryModule, AuthModule.register(authenticators)], controllers: [RequestsController], providers: [RequestsService] };
  }
}
