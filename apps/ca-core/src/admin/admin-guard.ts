import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Actor } from '@signet/contracts';
import { AuditStore } from '../audit/audit.store';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { authorize, forbidden, type AdminAction } from './roles';

/**
 * The role check ca-core makes itself. A refusal here means admin-api let
 * through a caller it should have stopped, so it is recorded in the audit
 * log (who tried what) before FORBIDDEN goes back.
 */
@Injectable()
export class AdminGuard {
  private readonly log = new Logger('AdminGuard');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly audit: AuditStore,
  ) {}

  async check(actor: Actor, action: AdminAction, on: { requestId?: number; serial?: string } = {}): Promise<void> {
    const a = authorize(actor, action);
    if (a.ok) return;
    this.log.warn(`refused ${action} for ${actor.name}: ${a.reason}`);
    await this.audit.record(this.config.caName, {
      actor: actor.name,
      action: 'admin.forbidden',
      requestId: on.requestId,
      serial: on.serial,
      details: { attempted: action, roles: actor.roles },
    });
    throw forbidden(action, a.reason);
  }
}
