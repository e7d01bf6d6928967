import { Module } from '@nestjs/common';
import { CrlsController } from './crls.controller';

@Module({ controllers: [CrlsController] })
export class CrlsModule {}
