import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { RETRIEVAL_SECRET_HEADER } from '@signet/contracts';
import { ValidParam, ValidQuery, type HttpResponse, type Query as QueryParams } from '@signet/http';
import { type z } from 'zod';
import { noteForAccessLog } from '../http/access-log';
import { REQUESTS_PATH } from './outcome';
import { Requester } from './requester';
import { RequestIdPathSchema, RetrieveQuerySchema } from './requests.routes';
import { RequestsService, type RequestAnswer } from './requests.service';
import { IDEMPOTENCY_HEADER } from './submit-input';

@Controller(REQUESTS_PATH.slice(1))
export class RequestsController {
  constructor(private readonly requests: RequestsService) {}

  /** ICertRequest::Submit; the body's schema depends on its media type, so parseSubmit validates it (SubmitBodySchema). */
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

  /** ICertRequest::RetrievePending, for the request's owner: the retrieval secret's holder, or the same requester. */
  @Get(':id')
  async retrieve(
    @ValidParam('id', RequestIdPathSchema) id: number,
    @ValidQuery(RetrieveQuerySchema) query: z.output<typeof RetrieveQuerySchema>,
    @Headers(RETRIEVAL_SECRET_HEADER.toLowerCase()) secretHeader: string | undefined,
    @Requester() requester: string,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<Record<string, unknown>> {
    const answer = await this.requests.retrieve(id, query.ca, { secretHeader, requester });
    return apply(res, answer);
  }
}

function apply(res: HttpResponse, answer: RequestAnswer): Record<string, unknown> {
  noteForAccessLog(res, { ca: answer.ca, requestId: answer.requestId });
  res.status(answer.status).set(answer.headers);
  return answer.body;
}
