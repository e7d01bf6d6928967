import { Controller, Get } from '@nestjs/common';
import { type Actor } from '@signet/contracts';
import { queryInt, ValidQuery } from '@signet/http';
import { z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';

/** `?afterId=&limit=&requestId=` of GET /api/v1/audit. */
export const AuditQuerySchema = z.object({
  afterId: queryInt(0, Number.MAX_SAFE_INTEGER).meta({ description: 'Entries after this id' }),
  limit: queryInt(1, 1000).meta({ description: 'At most this many (default 100)' }),
  requestId: queryInt(1, Number.MAX_SAFE_INTEGER).meta({ description: "Only this request's entries" }),
});

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
  async list(@ValidQuery(AuditQuerySchema) { afterId, limit, requestId }: z.output<typeof AuditQuerySchema>, @CurrentActor() actor: Actor) {
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
