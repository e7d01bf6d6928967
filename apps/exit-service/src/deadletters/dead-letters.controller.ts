import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, type DeadLetter } from '@signet/contracts';
import { DeadLettersService } from './dead-letters.service';

/** `exit.<ca>.deadletters.list` / `.replay` (queue group signet-exit-service), called by admin-api. Thin. */
@Controller()
export class DeadLettersController {
  constructor(@Inject(DeadLettersService) private readonly service: DeadLettersService) {}

  @MessagePattern(Commands.deadLetterList.name)
  async list(@Payload() req: { module?: string; limit: number }): Promise<{ deadLetters: DeadLetter[] }> {
    return { deadLetters: await this.service.list(req) };
  }

  @MessagePattern(Commands.deadLetterDiscard.name)
  discard(@Payload() req: { id: string; actor: string }) {
    return this.service.discard(req.id, req.actor);
  }

  @MessagePattern(Commands.deadLetterReplayAll.name)
  replayAll(@Payload() req: { module: string; limit: number; actor: string }) {
    return this.service.replayAll(req.module, req.limit, req.actor);
  }

  @MessagePattern(Commands.deadLetterReplay.name)
  replay(@Payload() req: { id: string; actor: string }): Promise<{ id: string; replayed: boolean; result: string }> {
    return this.service.replay(req.id, req.actor);
  }
}
