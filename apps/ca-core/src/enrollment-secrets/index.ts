import { type Provider, type Type } from '@nestjs/common';
import { EnrollmentSecretStore } from './enrollment-secret.store';
import { EnrollmentSecretsController } from './enrollment-secrets.controller';

/** Enrollment secrets (ADR 0032). Registered by CaCoreModule. */
export const ENROLLMENT_SECRET_CONTROLLERS: Type[] = [EnrollmentSecretsController];
export const ENROLLMENT_SECRET_PROVIDERS: Provider[] = [EnrollmentSecretStore];
export { EnrollmentSecretStore } from './enrollment-secret.store';
