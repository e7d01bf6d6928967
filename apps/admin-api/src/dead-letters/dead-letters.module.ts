import { Module } from '@nestjs/common';
import { DeadLettersController } from './dead-letters.controller';
import { ExitStatusController } from './exit-status.controller';

/** exit-service's side of administration: dead letters and delivery status. */
@Module({ controllers: [DeadLettersController, ExitStatusController] })
export class DeadLettersModule {}
