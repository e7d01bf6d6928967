import { Controller, Logger } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { type BusContext } from '@signet/bus';
import {
  Commands,
  ErrorCode,
  SignetError,
  type CheckEnrollmentSecretSchema,
  type CreateEnrollmentSecretSchema,
  type ListEnrollmentSecretsSchema,
  type RevokeEnrollmentSecretSchema,
} from '@signet/contracts';
import { type z } from 'zod';
import { AdminCredentials } from '../admin/admin-credentials';
import { AdminGuard } from '../admin/admin-guard';
import { PolicyClient } from '../policy/policy.client';
import { EnrollmentSecretStore } from './enrollment-secret.store';

type In<S extends z.ZodType> = z.output<S>;

/**
 * Enrollment secrets (ADR 0032): officers create and revoke them, any
 * admin role lists them (admin-api, `ca.<ca>.admin.enrollment-secret.*`);
 * the intermediary checks the ones enrollees present
 * (`ca.<ca>.enrollment-secret.check`, its NATS user only). The admin
 * commands' actor comes from admin-api's verified assertion (ADR 0028). Log lines name
 * secrets by id, never by value.
 */
@Controller()
export class EnrollmentSecretsController {
  private readonly log = new Logger('EnrollmentSecrets');

  constructor(
    private readonly store: EnrollmentSecretStore,
    private readonly guard: AdminGuard,
    private readonly policy: PolicyClient,
    private readonly credentials: AdminCredentials,
  ) {}

  @MessagePattern(Commands.adminCreateEnrollmentSecret.name)
  async create(@Payload() input: In<typeof CreateEnrollmentSecretSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'createEnrollmentSecret');
    // A template the policy module does not offer would only ever be denied: say so now.
    const templates = this.policy.description?.templates;
    if (templates && !templates.includes(input.template)) {
      throw new SignetError(ErrorCode.BadMessage, `template "${input.template}" is not one the policy module offers (${templates.join(', ')})`, { field: 'template', templates });
    }
    const created = await this.store.create(actor.name, input);
    this.log.log(`enrollment secret ${created.id} created by ${actor.name} for template ${created.template}, until ${created.expiresAt}`);
    return created;
  }

  @MessagePattern(Commands.adminListEnrollmentSecrets.name)
  async list(@Payload() r: In<typeof ListEnrollmentSecretsSchema>, @Ctx() ctx: BusContext) {
    await this.guard.check(await this.credentials.actor(ctx), 'listEnrollmentSecrets');
    return { secrets: await this.store.list(r) };
  }

  @MessagePattern(Commands.adminRevokeEnrollmentSecret.name)
  async revoke(@Payload() r: In<typeof RevokeEnrollmentSecretSchema>, @Ctx() ctx: BusContext) {
    const actor = await this.credentials.actor(ctx);
    await this.guard.check(actor, 'revokeEnrollmentSecret');
    const revoked = await this.store.revoke(actor.name, r.id);
    this.log.log(`enrollment secret ${r.id} revoked by ${actor.name}`);
    return revoked;
  }

  /** No actor: the intermediary asks for an enrollee, whom only the secret names. */
  @MessagePattern(Commands.enrollmentSecretCheck.name)
  check(@Payload() r: In<typeof CheckEnrollmentSecretSchema>) {
    return this.store.check(r);
  }
}
