import { Controller, Get } from '@nestjs/common';

@Controller()
export class HealthController {
  /** Liveness for compose and orchestrators. */
  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
