import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ValidParam, ValidQuery, type HttpResponse } from '@signet/http';
import { type z } from 'zod';
import { noteForAccessLog } from '../http/access-log';
import { CaPathSchema } from '../http/input';
import { CaCertificateQuerySchema, CaPropertiesQuerySchema } from './cas.routes';
import { CasService, PEM_CHAIN_MEDIA_TYPE, pemText, wantsPem } from './cas.service';

/** ICertConfig and the CA reads of ICertRequest. */
@Controller('api/v1/cas')
export class CasController {
  constructor(private readonly cas: CasService) {}

  @Get()
  list() {
    return this.cas.list();
  }

  // Declared before ':ca' so that "default" is never taken for a CA name.
  @Get('default')
  defaultCa() {
    return this.cas.defaultCa();
  }

  @Get(':ca')
  get(@ValidParam('ca', CaPathSchema) ca: string, @Res({ passthrough: true }) res: HttpResponse) {
    noteForAccessLog(res, { ca });
    return this.cas.get(ca);
  }

  /** ICertRequest::GetCACertificate — JSON, or PEM text when asked. */
  @Get(':ca/certificate')
  async certificate(
    @ValidParam('ca', CaPathSchema) ca: string,
    @ValidQuery(CaCertificateQuerySchema) query: z.output<typeof CaCertificateQuerySchema>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    noteForAccessLog(res, { ca });
    const pem = wantsPem(query.format, accept);
    const answer = await this.cas.certificate(ca, query.chain);
    if (!pem) return answer;
    res.type(PEM_CHAIN_MEDIA_TYPE);
    return pemText(answer);
  }

  /** ICertRequest::GetCAProperty */
  @Get(':ca/properties')
  properties(
    @ValidParam('ca', CaPathSchema) ca: string,
    @ValidQuery(CaPropertiesQuerySchema) query: z.output<typeof CaPropertiesQuerySchema>,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    noteForAccessLog(res, { ca });
    return this.cas.properties(ca, query.names);
  }
}
