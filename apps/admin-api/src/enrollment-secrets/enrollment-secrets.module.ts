import { Module } from '@nestjs/common';
import { EnrollmentSecretsController } from './enrollment-secrets.controller';

@Module({ controllers: [EnrollmentSecretsController] })
export class EnrollmentSecretsModule {}
