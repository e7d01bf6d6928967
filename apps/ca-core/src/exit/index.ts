import { type Provider, type Type } from '@nestjs/common';
import { ExitReadService } from './exit-read.service';
import { ExitController } from './exit.controller';
import { ExitRollCallService } from './roll-call.service';

export { ExitRollCallService, EXIT_NATS } from './roll-call.service';
export { ExitReadService } from './exit-read.service';

/**
 * ICertServerExit read-back and the exit-module roll call. Registered by
 * CaCoreModule, which also provides the bus connection under EXIT_NATS (the
 * roll call is scatter-gather, which BusClient does not do).
 */
export const EXIT_CONTROLLERS: Type[] = [ExitController];
export const EXIT_PROVIDERS: Provider[] = [ExitReadService, ExitRollCallService];
