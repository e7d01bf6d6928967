import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { type Actor } from '@signet/contracts';
import { z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { parseWith } from '../http/input';

const PublishBody = z.object({ delta: z.boolean().default(false) }).strict();

/** ICertAdmin::PublishCRLs — like `certutil -CRL` (base) and `certutil -CRL delta`. */
@Controller('api/v1/crls')
export class CrlsController {
  constructor(private readonly client: AdminClient) {}

  @Post('publish')
  @HttpCode(200)
  @Manage('ca-admin')
  async publish(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const { delta } = parseWith(PublishBody, body ?? {});
    return { ca: this.client.ca, ...(await this.client.as(actor, 'adminPublishCrl', { delta })) };
  }
}
