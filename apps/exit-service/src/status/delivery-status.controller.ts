import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Commands, type ExitStatusReply } from '@signet/contracts';
import { DeliveryStatus } from './delivery-status';

/** `exit.<ca>.status` (queue group signet-exit-service), called by admin-api and by the intermediary's /readyz. Thin. */
@Controller()
export class DeliveryStatusController {
  constructor(@Inject(DeliveryStatus) private readonly status: DeliveryStatus) {}

  @MessagePattern(Commands.exitStatus.name)
  get(): Promise<ExitStatusReply> {
    return this.status.status();
  }
}
