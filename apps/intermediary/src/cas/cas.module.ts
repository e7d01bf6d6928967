import { Module } from '@nestjs/common';
import { DiscoveryModule } from '../discovery/discovery.module';
import { CasController } from './cas.controller';
import { CasService } from './cas.service';

@Module({ imports: [DiscoveryModule], controllers: [CasController], providers: [CasService] })
export class CasModule {}
