import { type DynamicModule, Module } from '@nestjs/common';
import { DeadLettersController } from './deadletters/dead-letters.controller';
import { DeadLettersService } from './deadletters/dead-letters.service';

/** The bus commands exit-service serves (dead letters); delivery itself runs outside Nest's request handling. */
@Module({})
export class ExitServiceModule {
  static register(deps: { deadLetters: DeadLettersService }): DynamicModule {
    return {
      module: ExitServiceModule,
      controllers: [DeadLettersController],
      providers: [{ provide: DeadLettersService, useValue: deps.deadLetters }],
    };
  }
}
