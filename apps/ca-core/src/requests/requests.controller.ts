import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { type BusContext } from '@signet/bus';
import { BusSubmit, Commands, ErrorCode, SignetError, type RequestResult, type RetrieveRequestParsed, type SubmitRequestParsed, type SubmitResult } from '@signet/contracts';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { IssuanceService } from './issuance.service';

/** ICertRequest: Submit and RetrievePending. Thin: validation is done by the transport. */
@Controller()
export class RequestsController {
  constructor(
    private readonly issuance: IssuanceService,
    @Inject(CA_CONFIG) private readonly config: CaConfig,
  ) {}

  /** From a front door: anonymous, or the identity it signed. */
  @MessagePattern(Commands.submit.name)
  submit(@Payload() req: SubmitRequestParsed): Promise<SubmitResult> {
    return this.issuance.submit(req);
  }

  /** From a service on its own subject: the broker vouches for the user in it (ADR 0026). */
  @MessagePattern(Commands.submitBus.name)
  submitBus(@Payload() req: SubmitRequestParsed, @Ctx() ctx: BusContext): Promise<SubmitResult> {
    const user = BusSubmit.userOf(this.config.caName, ctx.subject);
    // The subscription's wildcard admits only such subjects; a token the contracts would not build is refused rather than guessed at.
    if (user === undefined) throw new SignetError(ErrorCode.BadMessage, 'not a bus submitter subject');
    return this.issuance.submit(req, user);
  }

  @MessagePattern(Commands.retrieve.name)
  retrieve(@Payload() req: RetrieveRequestParsed): Promise<RequestResult> {
    return this.issuance.retrieve(req);
  }
}
