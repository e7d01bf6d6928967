import { Body, Controller, Delete, HttpCode, Get, Param, Post, Query } from '@nestjs/common';
import { DeadLetterReplayAllRequestSchema, type Actor, type AUDITED_ELSEWHERE } from '@signet/contracts';
import { badField, queryParam, type Query as QueryParams } from '@signet/http';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage, Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { intParam, parseWith } from '../http/input';
import { emptyBody } from '../requests/edit-input';

/** The command without its actor (admin-api adds the caller); `limit` defaults to 100. */
const ReplayAllBodySchema = DeadLetterReplayAllRequestSchema.omit({ actor: true });

/** Events an exit module gave up on (exit-service), listed and replayed. */
@Controller('api/v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly client: AdminClient) {}

  @Get()
  @Read('ca-admin', 'officer')
  async list(@Query() query: QueryParams) {
    const module = queryParam(query, 'module');
    const limit = intParam(query, 'limit', 1, 1000);
    const reply = await this.client.call('deadLetterList', { ...(module ? { module } : {}), ...(limit !== undefined ? { limit } : {}) });
    return { ca: this.client.ca, ...reply };
  }

  /** A module's dead letters, oldest first, until one fails again or about 4 s have passed (ask again while `remaining` > 0). */
  @Post('replay-all')
  @HttpCode(200)
  @Manage('ca-admin')
  async replayAll(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const { module, limit } = parseWith(ReplayAllBodySchema, body ?? {});
    await this.audited(actor, 'deadletter.replay-all', { module, limit });
    return { ca: this.client.ca, ...(await this.client.call('deadLetterReplayAll', { module, limit, actor: actor.name })) };
  }

  /** Drops a dead letter without delivering it (the CA's own records keep the event); CA administrators only. */
  @Delete(':id')
  @Manage('ca-admin')
  async discard(@Param('id') id: string, @CurrentActor() actor: Actor) {
    if (id.length > 128) throw badField('id', 'longer than 128 characters');
    await this.audited(actor, 'deadletter.discard', { id });
    return { ca: this.client.ca, ...(await this.client.call('deadLetterDiscard', { id, actor: actor.name })) };
  }

  /** Hands the event to its exit module again; configuration work, so CA administrators only. */
  @Post(':id/replay')
  @HttpCode(200)
  @Manage('ca-admin')
  async replay(@Param('id') id: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    if (id.length > 128) throw badField('id', 'longer than 128 characters');
    emptyBody(body);
    await this.audited(actor, 'deadletter.replay', { id });
    return { ca: this.client.ca, ...(await this.client.call('deadLetterReplay', { id, actor: actor.name })) };
  }

  /**
   * exit-service keeps no audit log: ca-core records the action (and checks
   * the role again) before exit-service is asked, so none happens unrecorded.
   * If ca-core cannot record it, the action is not asked for.
   */
  private async audited(actor: Actor, action: (typeof AUDITED_ELSEWHERE)[number], details: Record<string, string | number>): Promise<void> {
    await this.client.as(actor, 'adminAuditRecord', { action, details });
  }
}
