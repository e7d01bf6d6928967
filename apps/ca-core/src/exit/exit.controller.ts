import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, type ExitReadReply } from '@signet/contracts';
import { ExitReadService } from './exit-read.service';

/** ICertServerExit::SetContext + Get*: `ca.<ca>.exit.read`, read-only. Thin: the transport validates. */
@Controller()
export class ExitController {
  constructor(private readonly reads: ExitReadService) {}

  @MessagePattern(Commands.exitRead.name)
  read(@Payload() req: { requestId: number }): Promise<ExitReadReply> {
    return this.reads.read(req.requestId);
  }
}
