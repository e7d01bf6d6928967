import { Module } from '@nestjs/common';
import { DiscoveryModule } from '../discovery/discovery.module';
import { RequestsController } from './requests.controller';
import { RequestsService } from './requests.service';

@Module({ imports: [DiscoveryModule], controllers: [RequestsController], providers: [RequestsService] })
export class RequestsModule {}
