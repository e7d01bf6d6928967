import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { type BusContext } from '@signet/bus';
import { Commands, type DeadLetter } from '@signet/contracts';
import { DeadLetterCredentials } from './dead-letter-credentials';
import { DeadLettersService } from './dead-letters.service';

/**
 * `exit.<ca>.deadletters.list` / `.replay` / `.replay-all` / `.discard`
 * (queue group signet-exit-service), called by admin-api. Thin: who acts
 * comes from admin-api's assertion (DeadLetterCredentials), checked first.
 */
@Controller()
export class DeadLettersController {
  constructor(
    @Inject(DeadLettersService) private readonly service: DeadLettersService,
    @Inject(DeadLetterCredentials) private readonly credentials: DeadLetterCredentials,
  ) {}

  @MessagePattern(Commands.deadLetterList.name)
  async list(@Payload() req: { module?: string; limit: number }, @Ctx() ctx: BusContext): Promise<{ deadLetters: DeadLetter[] }> {
    await this.credentials.actor(ctx, 'list');
    return { deadLetters: await this.service.list(req) };
  }

  @MessagePattern(Commands.deadLetterDiscard.name)
  async discard(@Payload() req: { id: string }, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx, 'discard');
    return this.service.discard(req.id, actor.name);
  }

  @MessagePattern(Commands.deadLetterReplayAll.name)
  async replayAll(@Payload() req: { module: string; limit: number }, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx, 'replayAll');
    return this.service.replayAll(req.module, req.limit, actor.name);
  }

  @MessagePattern(Commands.deadLetterReplay.name)
  async replay(@Payload() req: { id: string }, @Ctx() ctx: BusContext): Promise<{ id: string; replayed: boolean; result: string }> {
    const actor = await this.credentials.actor(ctx, 'replay');
    return this.service.replay(req.id, actor.name);
  }
}
