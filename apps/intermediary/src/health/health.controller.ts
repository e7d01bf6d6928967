import { Controller, Get } from '@nestjs/common';
import { HealthService } from './health.service';

/** Probes, outside /api/v1 so that they never change with the API version. */
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process is alive and serving HTTP. */
  @Get('healthz')
  live() {
    return { status: 'ok' };
  }

  @Get('readyz')
  ready() {
    return this.health.readiness();
  }
}
