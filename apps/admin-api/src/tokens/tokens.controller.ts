import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { RoleSchema, type Actor } from '@signet/contracts';
import { type HttpResponse } from '@signet/http';
import { z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { parseWith } from '../http/input';

const CreateTokenBodySchema = z
  .object({
    name: z.string(),
    roles: z.array(RoleSchema),
  })
  .strict();

/** Admin tokens: a CA administrator creates one for a person or a script (AD CS: assigning roles). */
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly client: AdminClient) {}

  /** Answers the token once; ca-core stores only its hash. */
  @Post()
  @HttpCode(201)
  @Manage('ca-admin')
  async create(@Body() body: unknown, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: HttpResponse) {
    const b = parseWith(CreateTokenBodySchema, body ?? {});
    res.set({ 'Cache-Control': 'no-store' });
    return this.client.as(actor, 'adminCreateToken', { name: b.name, roles: [...new Set(b.roles)] });
  }
}
