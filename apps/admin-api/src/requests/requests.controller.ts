import { Body, Controller, HttpCode, Get, Headers, Patch, Post, Put, Res } from '@nestjs/common';
import { type Actor, type RequestDetail, type RequestResult } from '@signet/contracts';
import { ValidBody, ValidParam, type HttpResponse } from '@signet/http';
import { type z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage, Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { noteForAccessLog } from '../http/access-log';
import { RequestIdPathSchema } from '../http/input';
import { attributesFromBody, DenyBodySchema, EmptyBodySchema, ExtensionBodySchema, extensionEdit, OidPathSchema } from './edit-input';

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
  async resubmit(
    @ValidParam('id', RequestIdPathSchema) requestId: number,
    @ValidBody(EmptyBodySchema, { absent: {} }) _body: object,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    noteForAccessLog(res, { requestId });
    return resultBody(this.client.ca, await this.client.as(actor, 'adminResubmit', { requestId }));
  }

  /** ICertAdmin::DenyRequest — pending only. */
  @Post(':id/deny')
  @HttpCode(200)
  @Manage('officer')
  async deny(
    @ValidParam('id', RequestIdPathSchema) requestId: number,
    @ValidBody(DenyBodySchema, { absent: {} }) { reason }: z.output<typeof DenyBodySchema>,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    noteForAccessLog(res, { requestId });
    return resultBody(this.client.ca, await this.client.as(actor, 'adminDeny', { requestId, ...(reason ? { reason } : {}) }));
  }

  /** ICertAdmin::SetRequestAttributes — pending only; answers the request as it now is. The schema depends on the media type (attributesFromBody). */
  @Patch(':id/attributes')
  @Manage('officer')
  async setAttributes(
    @ValidParam('id', RequestIdPathSchema) requestId: number,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<RequestDetail> {
    const attributes = attributesFromBody(contentType, body);
    noteForAccessLog(res, { requestId });
    return this.client.as(actor, 'adminSetAttributes', { requestId, attributes });
  }

  /** ICertAdmin::SetCertificateExtension — pending only; origin admin. */
  @Put(':id/extensions/:oid')
  @Manage('officer')
  async setExtension(
    @ValidParam('id', RequestIdPathSchema) requestId: number,
    @ValidParam('oid', OidPathSchema) oid: string,
    @ValidBody(ExtensionBodySchema, { absent: {} }) body: z.output<typeof ExtensionBodySchema>,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<RequestDetail> {
    const edit = extensionEdit(oid, body);
    noteForAccessLog(res, { requestId });
    return this.client.as(actor, 'adminSetExtension', { requestId, ...edit });
  }

  /** The request with its attributes, extensions and certificate (ICertView row + tables). */
  @Get(':id')
  @Read()
  async get(@ValidParam('id', RequestIdPathSchema) requestId: number, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: HttpResponse): Promise<RequestDetail> {
    noteForAccessLog(res, { requestId });
    return this.client.as(actor, 'adminGetRequest', { requestId });
  }
}
