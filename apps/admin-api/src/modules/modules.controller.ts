import { Controller, Get } from '@nestjs/common';
import { type Actor } from '@signet/contracts';
import { CurrentActor } from '../auth/actor.decorator';
import { Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';

/** The policy and exit modules ca-core has seen (name, description, event mask, first and last seen). */
@Controller('api/v1/modules')
export class ModulesController {
  constructor(private readonly client: AdminClient) {}

  @Get()
  @Read()
  async list(@CurrentActor() actor: Actor) {
    return { ca: this.client.ca, ...(await this.client.as(actor, 'adminModules', {})) };
  }
}
