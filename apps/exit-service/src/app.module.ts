import { type DynamicModule, Module } from '@nestjs/common';
import { DeadLetterCredentials } from './deadletters/dead-letter-credentials';
import { DeadLettersController } from './deadletters/dead-letters.controller';
import { DeadLettersService } from './deadletters/dead-letters.service';
import { DeliveryStatus } from './status/delivery-status';
import { DeliveryStatusController } from './status/delivery-status.controller';

/** The bus commands exit-service serves (dead letters, delivery status); delivery itself runs outside Nest's request handling. */
@Module({})
export class ExitServiceModule {
  static register(deps: { deadLetters: DeadLettersService; credentials: DeadLetterCredentials; status: DeliveryStatus }): DynamicModule {
    return {
      module: ExitServiceModule,
      controllers: [DeadLettersController, DeliveryStatusController],
      providers: [
        { provide: DeadLettersService, useValue: deps.deadLetters },
        { provide: DeadLetterCredentials, useValue: deps.credentials },
        { provide: DeliveryStatus, useValue: deps.status },
      ],
    };
  }
}
