import { Controller, Delete, HttpCode, Get, Post } from '@nestjs/common';
import { DeadLetterListRequestSchema, DeadLetterReplayAllRequestSchema, DeadLetterReplayRequestSchema, type Actor, type AUDITED_ELSEWHERE } from '@signet/contracts';
import { queryInt, queryOne, ValidBody, ValidParam, ValidQuery } from '@signet/http';
import { z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage, Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { EmptyBodySchema } from '../requests/edit-input';

/** exit-service's command as the body (who acts travels in admin-api's assertion); `limit` defaults to 100. */
export const ReplayAllBodySchema = DeadLetterReplayAllRequestSchema.meta({ id: 'ReplayAllBody' });

/** `?module=&limit=`: exit-service's list request, as query parameters. */
export const DeadLetterListQuerySchema = z.object({
  module: queryOne(DeadLetterListRequestSchema.shape.module.unwrap()).optional().meta({ description: 'Only this exit module' }),
  limit: queryInt(1, 1000).meta({ description: 'At most this many (default 100)' }),
});

/** `{id}` of a dead letter, as exit-service names it. */
export const DeadLetterIdPathSchema = DeadLetterReplayRequestSchema.shape.id.meta({ description: 'Dead letter id' });

/**
 * Events an exit module gave up on (exit-service), listed and replayed.
 * Each call carries admin-api's assertion for exit-service (ADR 0028):
 * exit-service takes who acts from it and checks the same roles again.
 */
@Controller('api/v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly client: AdminClient) {}

  @Get()
  @Read('ca-admin', 'officer')
  async list(@ValidQuery(DeadLetterListQuerySchema) { module, limit }: z.output<typeof DeadLetterListQuerySchema>, @CurrentActor() actor: Actor) {
    const reply = await this.client.as(actor, 'deadLetterList', { ...(module ? { module } : {}), ...(limit !== undefined ? { limit } : {}) });
    return { ca: this.client.ca, ...reply };
  }

  /** A module's dead letters, oldest first, until one fails again or about 4 s have passed (ask again while `remaining` > 0). */
  @Post('replay-all')
  @HttpCode(200)
  @Manage('ca-admin')
  async replayAll(@ValidBody(ReplayAllBodySchema, { absent: {} }) { module, limit }: z.output<typeof ReplayAllBodySchema>, @CurrentActor() actor: Actor) {
    await this.audited(actor, 'deadletter.replay-all', { module, limit });
    return { ca: this.client.ca, ...(await this.client.as(actor, 'deadLetterReplayAll', { module, limit })) };
  }

  /** Drops a dead letter without delivering it (the CA's own records keep the event); CA administrators only. */
  @Delete(':id')
  @Manage('ca-admin')
  async discard(@ValidParam('id', DeadLetterIdPathSchema) id: string, @CurrentActor() actor: Actor) {
    await this.audited(actor, 'deadletter.discard', { id });
    return { ca: this.client.ca, ...(await this.client.as(actor, 'deadLetterDiscard', { id })) };
  }

  /** Hands the event to its exit module again; configuration work, so CA administrators only. */
  @Post(':id/replay')
  @HttpCode(200)
  @Manage('ca-admin')
  async replay(@ValidParam('id', DeadLetterIdPathSchema) id: string, @ValidBody(EmptyBodySchema, { absent: {} }) _body: object, @CurrentActor() actor: Actor) {
    await this.audited(actor, 'deadletter.replay', { id });
    return { ca: this.client.ca, ...(await this.client.as(actor, 'deadLetterReplay', { id })) };
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
