import { Controller, HttpCode, Get, Post, Res } from '@nestjs/common';
import { ImportCertificateRequestSchema, type Actor, type CertificateStatus, type RequestDetail } from '@signet/contracts';
import { ValidBody, ValidParam, type HttpResponse } from '@signet/http';
import { type z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage, Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';
import { noteForAccessLog } from '../http/access-log';
import { SerialPathSchema } from '../http/input';
import { EmptyBodySchema } from '../requests/edit-input';
import { reasonName, RevokeBodySchema, type RevokeInput } from './revoke-input';

/** A status answer with the reason's name next to its number, for people. */
export function statusBody(ca: string, s: CertificateStatus): Record<string, unknown> {
  const name = reasonName(s.reason);
  return { ca, ...s, ...(name ? { reasonName: name } : {}) };
}

/** The command as sent: the caller travels in the admin assertion admin-api signs (ADR 0028). */
export const ImportCertificateBodySchema = ImportCertificateRequestSchema.meta({ id: 'ImportCertificateBody' });

/** ICertAdmin on certificates: revoke (repeatable), release from hold, IsValidCertificate, the certificate itself, and import. */
@Controller('api/v1/certificates')
export class CertificatesController {
  constructor(private readonly client: AdminClient) {}

  /** ICertAdmin::ImportCertificate: a certificate this CA issued that its database lacks; ca-core checks it was. */
  @Post('import')
  @HttpCode(201)
  @Manage('officer')
  async importCertificate(
    @ValidBody(ImportCertificateBodySchema, { absent: {} }) { certificate }: z.output<typeof ImportCertificateBodySchema>,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<RequestDetail> {
    const detail = await this.client.as(actor, 'adminImportCertificate', { certificate });
    noteForAccessLog(res, { requestId: detail.requestId, serial: detail.certificate?.serial });
    res.set({ Location: `/api/v1/requests/${detail.requestId}` });
    return detail;
  }

  /** ICertAdmin::RevokeCertificate — repeatable: a second call changes the reason or dates. */
  @Post(':serial/revoke')
  @HttpCode(200)
  @Manage('officer')
  async revoke(
    @ValidParam('serial', SerialPathSchema) serial: string,
    @ValidBody(RevokeBodySchema, { absent: {} }) input: RevokeInput,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    noteForAccessLog(res, { serial });
    return statusBody(this.client.ca, await this.client.as(actor, 'adminRevoke', { serial, ...input }));
  }

  /** RevokeCertificate with MAXDWORD: release from certificateHold only. */
  @Post(':serial/release')
  @HttpCode(200)
  @Manage('officer')
  async release(
    @ValidParam('serial', SerialPathSchema) serial: string,
    @ValidBody(EmptyBodySchema, { absent: {} }) _body: object,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    noteForAccessLog(res, { serial });
    return statusBody(this.client.ca, await this.client.as(actor, 'adminRelease', { serial }));
  }

  /** ICertAdmin::IsValidCertificate (CA_DISP_*), with the revocation reason and dates. */
  @Get(':serial/status')
  @Read()
  async status(@ValidParam('serial', SerialPathSchema) serial: string, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: HttpResponse) {
    noteForAccessLog(res, { serial });
    return statusBody(this.client.ca, await this.client.as(actor, 'adminCertStatus', { serial }));
  }

  /** The certificate and the request it was issued for. */
  @Get(':serial')
  @Read()
  async get(@ValidParam('serial', SerialPathSchema) serial: string, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: HttpResponse): Promise<RequestDetail> {
    noteForAccessLog(res, { serial });
    return this.client.as(actor, 'adminGetCertificate', { serial });
  }
}
