import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, type OcspRespondReply, type OcspRespondRequest } from '@signet/contracts';
import { OcspService } from './ocsp.service';

/** ca.<ca>.ocsp.respond: request DER in, signed OCSPResponse out. */
@Controller()
export class OcspController {
  constructor(private readonly ocsp: OcspService) {}

  @MessagePattern(Commands.ocspRespond.name)
  respond(@Payload() req: OcspRespondRequest): Promise<OcspRespondReply> {
    return this.ocsp.respond(Buffer.from(req.request, 'base64'));
  }
}
