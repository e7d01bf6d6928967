import { Controller, Delete, HttpCode, Post, Res } from '@nestjs/common';
import { CreateTokenSchema, RevokeTokenSchema, type Actor } from '@signet/contracts';
import { ValidBody, ValidParam, type HttpResponse } from '@signet/http';
import { type z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage } from '../auth/access.decorator';
import { Authenticator } from '../auth/authenticator';
import { AdminClient } from '../bus/admin-client';

/** The command as sent: the caller travels in the admin assertion admin-api signs (ADR 0028). */
export const CreateTokenBodySchema = CreateTokenSchema.meta({ id: 'CreateTokenBody' });
export const TokenNamePathSchema = RevokeTokenSchema.shape.name.meta({ description: 'The token\'s name (who it was made for)' });

/** Admin tokens: a CA administrator creates one for a person or a script (AD CS: assigning roles), and revokes it. */
@Controller('api/v1/tokens')
export class TokensController {
  constructor(
    private readonly client: AdminClient,
    private readonly authenticator: Authenticator,
  ) {}

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

  /**
   * Revokes at once (ADR 0024): ca-core announces it to every replica
   * before it answers, and this one drops its cached answers here as well.
   */
  @Delete(':name')
  @Manage('ca-admin')
  async revoke(@ValidParam('name', TokenNamePathSchema) name: string, @CurrentActor() actor: Actor) {
    const { epoch, revokedAt } = await this.client.as(actor, 'adminRevokeToken', { name });
    this.authenticator.revoked(name, epoch);
    return { ca: this.client.ca, name, revoked: true, revokedAt };
  }
}
