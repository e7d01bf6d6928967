import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/access.decorator';
import { HealthService } from './health.service';

/** Probes, outside /api/v1 so that they never change with the API version; no token needed. */
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process is alive and serving HTTP. */
  @Get('healthz')
  @Public()
  live() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Public()
  ready() {
    return this.health.readiness();
  }
}
