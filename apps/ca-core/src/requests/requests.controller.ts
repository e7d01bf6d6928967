import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, type RequestResult, type RetrieveRequestParsed, type SubmitRequestParsed, type SubmitResult } from '@signet/contracts';
import { IssuanceService } from './issuance.service';

/** ICertRequest: Submit and RetrievePending. Thin: validation is done by the transport. */
@Controller()
export class RequestsController {
  constructor(private readonly issuance: IssuanceService) {}

  @MessagePattern(Commands.submit.name)
  submit(@Payload() req: SubmitRequestParsed): Promise<SubmitResult> {
    return this.issuance.submit(req);
  }

  @MessagePattern(Commands.retrieve.name)
  retrieve(@Payload() req: RetrieveRequestParsed): Promise<RequestResult> {
    return this.issuance.retrieve(req);
  }
}
