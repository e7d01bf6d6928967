import { Controller, HttpCode, Post } from '@nestjs/common';
import { PublishCrlRequestSchema, type Actor } from '@signet/contracts';
import { ValidBody } from '@signet/http';
import { type z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';

/** The command as sent (the caller travels in the admin assertion, ADR 0028): `{delta?}`, a base CRL by default. */
export const PublishCrlBodySchema = PublishCrlRequestSchema.meta({ id: 'PublishCrlBody' });

/** ICertAdmin::PublishCRLs — like `certutil -CRL` (base) and `certutil -CRL delta`. */
@Controller('api/v1/crls')
export class CrlsController {
  constructor(private readonly client: AdminClient) {}

  @Post('publish')
  @HttpCode(200)
  @Manage('ca-admin')
  async publish(@ValidBody(PublishCrlBodySchema, { absent: {} }) { delta }: z.output<typeof PublishCrlBodySchema>, @CurrentActor() actor: Actor) {
    return { ca: this.client.ca, ...(await this.client.as(actor, 'adminPublishCrl', { delta })) };
  }
}
