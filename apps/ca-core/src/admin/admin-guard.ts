import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Actor } from '@signet/contracts';
import { AuditStore } from '../audit/audit.store';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { authorize, authorizeApproval, forbidden, type AdminAction, type Refusal } from './roles';

/**
 * The role check ca-core makes itself, role separation included (with
 * ca-core's own SIGNET_ROLE_SEPARATION, not admin-api's word for it). A
 * refusal here means admin-api let through a caller it should have stopped,
 * or, for an officer's own request, something only ca-core can see; either
 * way it is recorded in the audit log (who tried what) before FORBIDDEN goes
 * back.
 */
@Injectable()
export class AdminGuard {
  private readonly log = new Logger('AdminGuard');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    private readonly audit: AuditStore,
  ) {}

  async check(actor: Actor, action: AdminAction, on: { requestId?: number; serial?: string } = {}): Promise<void> {
    const a = authorize(actor, action, this.config);
    if (!a.ok) await this.refuse(actor, action, a, on);
  }

  /** Before a resubmit: with role separation on, nobody approves a request they submitted (ADR 0023). */
  async checkApproval(actor: Actor, request: Parameters<typeof authorizeApproval>[1]): Promise<void> {
    const a = authorizeApproval(actor, request, this.config);
    if (!a.ok) await this.refuse(actor, 'resubmit', a, { requestId: request.id });
  }

  private async refuse(actor: Actor, action: AdminAction, a: Refusal, on: { requestId?: number; serial?: string }): Promise<never> {
    this.log.warn(`refused ${action} for ${actor.name}: ${a.reason}`);
    await this.audit.record(this.config.caName, {
      actor: actor.name,
      action: 'admin.forbidden',
      requestId: on.requestId,
      serial: on.serial,
      details: { attempted: action, roles: actor.roles, reason: a.why },
    });
    throw forbidden(action, a);
  }
}
