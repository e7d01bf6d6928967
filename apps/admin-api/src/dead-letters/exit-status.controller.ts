import { Controller, Get } from '@nestjs/common';
import { Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';

/** How far behind exit-service's modules are: events waiting and in delivery per consumer, dead letters (exit-service answers). */
@Controller('api/v1/exit-modules')
export class ExitStatusController {
  constructor(private readonly client: AdminClient) {}

  @Get()
  @Read()
  async status() {
    return { ca: this.client.ca, ...(await this.client.call('exitStatus', {})) };
  }
}
