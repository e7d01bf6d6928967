import { Inject, Injectable, Logger } from '@nestjs/common';
import { type PolicyInitReply, type PolicyInitRequest, type PolicyVerifyReply, type PolicyVerifyRequest } from '@signet/contracts';
import { type PolicyConfig } from '../config/policy-file.schema';
import { evaluate } from '../engine/engine';
import { MODULE_INFO } from '../module-info';
import { POLICY_CONFIG } from './policy.tokens';

/** ICertPolicy: Initialize and VerifyRequest over the loaded policy. */
@Injectable()
export class PolicyService {
  private readonly log = new Logger('PolicyService');

  constructor(@Inject(POLICY_CONFIG) private readonly policy: PolicyConfig) {}

  init(req: PolicyInitRequest): PolicyInitReply {
    this.log.log(`initialized by CA ${req.ca.name}`);
    return {
      name: MODULE_INFO.name,
      description: MODULE_INFO.description,
      version: MODULE_INFO.version,
      templates: Object.keys(this.policy.templates),
    };
  }

  verify(req: PolicyVerifyRequest): PolicyVerifyReply {
    const reply = evaluate(req, this.policy);
    // Ids, verdict and rule only: names and key data are the requester's, not the log's.
    this.log.log(
      `request ${req.requestId} (${req.newRequest ? 'new' : 'resubmit'}): ${reply.verdict} by ${reply.decidedBy?.rule ?? '-'}` +
        (reply.decidedBy?.field ? ` on ${reply.decidedBy.field}` : '') +
        (reply.changes?.template ? `, template ${reply.changes.template}` : ''),
    );
    return reply;
  }
}
