import { Body, Controller, HttpCode, Get, Headers, Param, Patch, Post, Put, Res } from '@nestjs/common';
import { type Actor, type RequestDetail, type RequestResult } from '@signet/contracts';
import { type HttpResponse } from '@signet/http';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage, Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { noteForAccessLog } from '../http/access-log';
import { parseRequestId } from '../http/input';
import { attributesFromBody, denyFromBody, emptyBody, extensionFromBody } from './edit-input';

/** The answer to a disposition change: the request's new disposition (and certificate when issued). */
export function resultBody(ca: string, r: RequestResult): Record<string, unknown> {
  return { ca, ...r };
}

/** ICertAdmin on requests: resubmit, deny, edit pending requests; and the request as ICertView shows it. */
@Controller('api/v1/requests')
export class RequestsController {
  constructor(private readonly client: AdminClient) {}

  /** ICertAdmin::ResubmitRequest — the policy runs again with newRequest=false. */
  @Post(':id/resubmit')
  @HttpCode(200)
  @Manage('officer')
  async resubmit(@Param('id') id: string, @Body() body: unknown, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: HttpResponse) {
    const requestId = parseRequestId(id);
    emptyBody(body);
    noteForAccessLog(res, { requestId });
    return resultBody(this.client.ca, await this.client.as(actor, 'adminResubmit', { requestId }));
  }

  /** ICertAdmin::DenyRequest — pending only. */
  @Post(':id/deny')
  @HttpCode(200)
  @Manage('officer')
  async deny(@Param('id') id: string, @Body() body: unknown, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: HttpResponse) {
    const requestId = parseRequestId(id);
    const { reason } = denyFromBody(body);
    noteForAccessLog(res, { requestId });
    return resultBody(this.client.ca, await this.client.as(actor, 'adminDeny', { requestId, ...(reason ? { reason } : {}) }));
  }

  /** ICertAdmin::SetRequestAttributes — pending only; answers the request as it now is. */
  @Patch(':id/attributes')
  @Manage('officer')
  async setAttributes(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<RequestDetail> {
    const requestId = parseRequestId(id);
    const attributes = attributesFromBody(contentType, body);
    noteForAccessLog(res, { requestId });
    return this.client.as(actor, 'adminSetAttributes', { requestId, attributes });
  }

  /** ICertAdmin::SetCertificateExtension — pending only; origin admin. */
  @Put(':id/extensions/:oid')
  @Manage('officer')
  async setExtension(
    @Param('id') id: string,
    @Param('oid') oid: string,
    @Body() body: unknown,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<RequestDetail> {
    const requestId = parseRequestId(id);
    const edit = extensionFromBody(oid, body);
    noteForAccessLog(res, { requestId });
    return this.client.as(actor, 'adminSetExtension', { requestId, ...edit });
  }

  /** The request with its attributes, extensions and certificate (ICertView row + tables). */
  @Get(':id')
  @Read()
  async get(@Param('id') id: string, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: HttpResponse): Promise<RequestDetail> {
    const requestId = parseRequestId(id);
    noteForAccessLog(res, { requestId });
    return this.client.as(actor, 'adminGetRequest', { requestId });
  }
}
