import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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
import { AdminGuard } from '../admin/admin-guard';
import { PolicyClient } from '../policy/policy.client';
import { EnrollmentSecretStore } from './enrollment-secret.store';

type In<S extends z.ZodType> = z.output<S>;

/**
 * Enrollment secrets (ADR 0032): officers create and revoke them, any
 * admin role lists them (admin-api, `ca.<ca>.admin.enrollment-secret.*`);
 * the intermediary checks the ones enrollees present
 * (`ca.<ca>.enrollment-secret.check`, its NATS user only). Log lines name
 * secrets by id, never by value.
 */
@Controller()
export class EnrollmentSecretsController {
  private readonly log = new Logger('EnrollmentSecrets');

  constructor(
    private readonly store: EnrollmentSecretStore,
    private readonly guard: AdminGuard,
    private readonly policy: PolicyClient,
  ) {}

  @MessagePattern(Commands.adminCreateEnrollmentSecret.name)
  async create(@Payload() r: In<typeof CreateEnrollmentSecretSchema>) {
    await this.guard.check(r.actor, 'createEnrollmentSecret');
    // A template the policy module does not offer would only ever be denied: say so now.
    const templates = this.policy.description?.templates;
    if (templates && !templates.includes(r.template)) {
      throw new SignetError(ErrorCode.BadMessage, `template "${r.template}" is not one the policy module offers (${templates.join(', ')})`, { field: 'template', templates });
    }
    const { actor, ...input } = r;
    const created = await this.store.create(actor.name, input);
    this.log.log(`enrollment secret ${created.id} created by ${actor.name} for template ${created.template}, until ${created.expiresAt}`);
    return created;
  }

  @MessagePattern(Commands.adminListEnrollmentSecrets.name)
  async list(@Payload() r: In<typeof ListEnrollmentSecretsSchema>) {
    await this.guard.check(r.actor, 'listEnrollmentSecrets');
    return { secrets: await this.store.list(r) };
  }

  @MessagePattern(Commands.adminRevokeEnrollmentSecret.name)
  async revoke(@Payload() r: In<typeof RevokeEnrollmentSecretSchema>) {
    await this.guard.check(r.actor, 'revokeEnrollmentSecret');
    const revoked = await this.store.revoke(r.actor.name, r.id);
    this.log.log(`enrollment secret ${r.id} revoked by ${r.actor.name}`);
    return revoked;
  }

  /** No actor: the intermediary asks for an enrollee, whom only the secret names. */
  @MessagePattern(Commands.enrollmentSecretCheck.name)
  check(@Payload() r: In<typeof CheckEnrollmentSecretSchema>) {
    return this.store.check(r);
  }
}
