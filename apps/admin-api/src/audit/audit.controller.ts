import { Controller, Get, Query } from '@nestjs/common';
import { type Actor } from '@signet/contracts';
import { type Query as QueryParams } from '@signet/http';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { intParam } from '../http/input';

/**
 * The audit log ca-core keeps (hash-chained): auditors read it and check the
 * chain. Reading the log is an auditor's management right, so role
 * separation applies: a CA administrator who is also an auditor cannot
 * review their own actions.
 */
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly client: AdminClient) {}

  /** Entries after `afterId`, oldest first; `requestId` narrows to one request. */
  @Get()
  @Manage('auditor')
  async list(@Query() query: QueryParams, @CurrentActor() actor: Actor) {
    const afterId = intParam(query, 'afterId', 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(query, 'limit', 1, 1000);
    const requestId = intParam(query, 'requestId', 1, Number.MAX_SAFE_INTEGER);
    const reply = await this.client.as(actor, 'adminAuditList', {
      ...(afterId !== undefined ? { afterId } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
    });
    return { ca: this.client.ca, ...reply };
  }

  /** Recomputes the hash chain; `ok: false` names the first entry where it breaks. */
  @Get('verify')
  @Manage('auditor')
  async verify(@CurrentActor() actor: Actor) {
    return { ca: this.client.ca, ...(await this.client.as(actor, 'adminAuditVerify', {})) };
  }
}
