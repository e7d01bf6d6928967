import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CreateTokenSchema, type Actor } from '@signet/contracts';
import { ValidBody, type HttpResponse } from '@signet/http';
import { type z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';

/** The command without its actor (admin-api adds the caller). */
export const CreateTokenBodySchema = CreateTokenSchema.omit({ actor: true }).meta({ id: 'CreateTokenBody' });

/** Admin tokens: a CA administrator creates one for a person or a script (AD CS: assigning roles). */
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly client: AdminClient) {}

  /** Answers the token once; ca-core stores only its hash. */
  @Post()
  @HttpCode(201)
  @Manage('ca-admin')
  async create(
    @ValidBody(CreateTokenBodySchema, { absent: {} }) b: z.output<typeof CreateTokenBodySchema>,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    res.set({ 'Cache-Control': 'no-store' });
    return this.client.as(actor, 'adminCreateToken', { name: b.name, roles: [...new Set(b.roles)] });
  }
}
