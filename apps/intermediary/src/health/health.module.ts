import { Module } from '@nestjs/common';
import { DiscoveryModule } from '../discovery/discovery.module';
import { TlsModule } from '../tls/tls.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [DiscoveryModule, TlsModule], controllers: [HealthController], providers: [HealthService] })
export class HealthModule {}
