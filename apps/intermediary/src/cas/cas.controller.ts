import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { booleanParam, queryParam, type HttpResponse, type Query as QueryParams } from '@signet/http';
import { noteForAccessLog } from '../http/access-log';
import { caFromPath } from '../http/input';
import { CasService, parsePropertyNames, PEM_CHAIN_MEDIA_TYPE, pemText, wantsPem } from './cas.service';

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
  get(@Param('ca') ca: string, @Res({ passthrough: true }) res: HttpResponse) {
    noteForAccessLog(res, { ca });
    return this.cas.get(caFromPath(ca));
  }

  /** ICertRequest::GetCACertificate — JSON, or PEM text when asked. */
  @Get(':ca/certificate')
  async certificate(
    @Param('ca') ca: string,
    @Query() query: QueryParams,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    noteForAccessLog(res, { ca });
    const pem = wantsPem(queryParam(query, 'format'), accept);
    const answer = await this.cas.certificate(caFromPath(ca), booleanParam(query, 'chain', false));
    if (!pem) return answer;
    res.type(PEM_CHAIN_MEDIA_TYPE);
    return pemText(answer);
  }

  /** ICertRequest::GetCAProperty */
  @Get(':ca/properties')
  properties(@Param('ca') ca: string, @Query() query: QueryParams, @Res({ passthrough: true }) res: HttpResponse) {
    noteForAccessLog(res, { ca });
    return this.cas.properties(caFromPath(ca), parsePropertyNames(query.names));
  }
}
