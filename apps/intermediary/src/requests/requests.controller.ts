import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { queryParam, type HttpResponse, type Query as QueryParams } from '@signet/http';
import { noteForAccessLog } from '../http/access-log';
import { parseRequestId, REQUESTS_PATH } from './outcome';
import { Requester } from './requester';
import { RequestsService, type RequestAnswer } from './requests.service';
import { IDEMPOTENCY_HEADER } from './submit-input';

@Controller(REQUESTS_PATH.slice(1))
export class RequestsController {
  constructor(private readonly requests: RequestsService) {}

  /** ICertRequest::Submit */
  @Post()
  async submit(
    @Body() body: unknown,
    @Query() query: QueryParams,
    @Headers('content-type') contentType: string | undefined,
    @Headers(IDEMPOTENCY_HEADER) idempotencyHeader: string | undefined,
    @Requester() requester: string,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<Record<string, unknown>> {
    const answer = await this.requests.submit({ contentType, body, query, idempotencyHeader }, requester);
    return apply(res, answer);
  }

  /** ICertRequest::RetrievePending */
  @Get(':id')
  async retrieve(@Param('id') id: string, @Query() query: QueryParams, @Res({ passthrough: true }) res: HttpResponse): Promise<Record<string, unknown>> {
    const answer = await this.requests.retrieve(parseRequestId(id), queryParam(query, 'ca'));
    return apply(res, answer);
  }
}

function apply(res: HttpResponse, answer: RequestAnswer): Record<string, unknown> {
  noteForAccessLog(res, { ca: answer.ca, requestId: answer.requestId });
  res.status(answer.status).set(answer.headers);
  return answer.body;
}
