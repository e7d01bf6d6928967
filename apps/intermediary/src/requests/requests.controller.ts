import { Body, Controller, Get, Headers, Post, Query, Req, Res } from '@nestjs/common';
import { RETRIEVAL_SECRET_HEADER } from '@signet/contracts';
import { ValidParam, ValidQuery, type HttpRequest, type HttpResponse, type Query as QueryParams } from '@signet/http';
import { type z } from 'zod';
import { EnrolleeAuth } from '../auth/enrollee-auth';
import { noteForAccessLog } from '../http/access-log';
import { REQUESTS_PATH } from './outcome';
import { RequestIdPathSchema, RetrieveQuerySchema } from './requests.routes';
import { RequestsService, type RequestAnswer } from './requests.service';
import { IDEMPOTENCY_HEADER } from './submit-input';

@Controller(REQUESTS_PATH.slice(1))
export class RequestsController {
  constructor(
    private readonly requests: RequestsService,
    private readonly auth: EnrolleeAuth,
  ) {}

  /**
   * ICertRequest::Submit; the body's schema depends on its media type, so
   * parseSubmit validates it (SubmitBodySchema). Who asks is settled first:
   * a credential that does not hold is 401 whatever the body.
   */
  @Post()
  async submit(
    @Req() req: HttpRequest,
    @Body() body: unknown,
    @Query() query: QueryParams,
    @Headers('content-type') contentType: string | undefined,
    @Headers(IDEMPOTENCY_HEADER) idempotencyHeader: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<Record<string, unknown>> {
    const identity = await this.auth.identify(req);
    const answer = await this.requests.submit({ contentType, body, query, idempotencyHeader }, identity);
    return apply(res, answer);
  }

  /** ICertRequest::RetrievePending, for the request's owner: the retrieval secret's holder, or the same requester. */
  @Get(':id')
  async retrieve(
    @Req() req: HttpRequest,
    @ValidParam('id', RequestIdPathSchema) id: number,
    @ValidQuery(RetrieveQuerySchema) query: z.output<typeof RetrieveQuerySchema>,
    @Headers(RETRIEVAL_SECRET_HEADER.toLowerCase()) secretHeader: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<Record<string, unknown>> {
    const identity = await this.auth.identify(req);
    const answer = await this.requests.retrieve(id, query.ca, { secretHeader, identity });
    return apply(res, answer);
  }
}

function apply(res: HttpResponse, answer: RequestAnswer): Record<string, unknown> {
  noteForAccessLog(res, { ca: answer.ca, requestId: answer.requestId });
  res.status(answer.status).set(answer.headers);
  return answer.body;
}
