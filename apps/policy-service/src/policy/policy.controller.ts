import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, type PolicyInitReply, type PolicyInitRequest, type PolicyVerifyReply, type PolicyVerifyRequest } from '@signet/contracts';
import { PolicyService } from './policy.service';

/**
 * policy.<ca>.init and policy.<ca>.verify. The bus server has validated the
 * payload against the contract before we see it, and checks our reply too.
 */
@Controller()
export class PolicyController {
  constructor(private readonly policy: PolicyService) {}

  @MessagePattern(Commands.policyInit.name)
  init(@Payload() req: PolicyInitRequest): PolicyInitReply {
    return this.policy.init(req);
  }

  @MessagePattern(Commands.policyVerify.name)
  verify(@Payload() req: PolicyVerifyRequest): PolicyVerifyReply {
    return this.policy.verify(req);
  }
}
