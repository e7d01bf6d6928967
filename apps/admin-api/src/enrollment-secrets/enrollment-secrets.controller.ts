import { Controller, Delete, Get, HttpCode, Post, Res } from '@nestjs/common';
import { CreateEnrollmentSecretSchema, EnrollmentSecretIdSchema, EnrollmentSecretStateSchema, type Actor } from '@signet/contracts';
import { queryInt, queryOne, ValidBody, ValidParam, ValidQuery, type HttpResponse } from '@signet/http';
import { z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { Manage, Read } from '../auth/access.decorator';
import { AdminClient } from '../bus/admin-client';

/** The command as sent: the caller travels in the admin assertion admin-api signs (ADR 0028). */
export const CreateEnrollmentSecretBodySchema = CreateEnrollmentSecretSchema.meta({ id: 'CreateEnrollmentSecretBody' });
export const EnrollmentSecretIdPathSchema = EnrollmentSecretIdSchema;
/** `?state=&limit=` of GET /api/v1/enrollment-secrets. */
export const EnrollmentSecretsQuerySchema = z.object({
  state: queryOne(EnrollmentSecretStateSchema).optional().meta({ description: 'Only secrets in this state' }),
  limit: queryInt(1, 1000).meta({ description: 'At most this many, newest first (default 100)' }),
});

/**
 * Enrollment secrets (ADR 0032): a certificate manager hands one to an
 * enrollee for one certificate (names, template, groups bound), lists them
 * and revokes one not yet used. Every admin role may list: the list holds
 * neither secrets nor hashes.
 */
@Controller('api/v1/enrollment-secrets')
export class EnrollmentSecretsController {
  constructor(private readonly client: AdminClient) {}

  /** Answers the credential `<id>:<secret>` once; ca-core stores only its hash. */
  @Post()
  @HttpCode(201)
  @Manage('officer')
  async create(
    @ValidBody(CreateEnrollmentSecretBodySchema) b: z.output<typeof CreateEnrollmentSecretBodySchema>,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const created = await this.client.as(actor, 'adminCreateEnrollmentSecret', b);
    res.set({ 'Cache-Control': 'no-store', Location: `/api/v1/enrollment-secrets/${created.id}` });
    return { ca: this.client.ca, ...created };
  }

  @Get()
  @Read()
  async list(@ValidQuery(EnrollmentSecretsQuerySchema) q: z.output<typeof EnrollmentSecretsQuerySchema>, @CurrentActor() actor: Actor) {
    const reply = await this.client.as(actor, 'adminListEnrollmentSecrets', { ...(q.state ? { state: q.state } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}) });
    return { ca: this.client.ca, ...reply };
  }

  /** Revokes an unused secret at once: the next check refuses it. */
  @Delete(':id')
  @Manage('officer')
  async revoke(@ValidParam('id', EnrollmentSecretIdPathSchema) id: string, @CurrentActor() actor: Actor) {
    return { ca: this.client.ca, ...(await this.client.as(actor, 'adminRevokeEnrollmentSecret', { id })) };
  }
}
