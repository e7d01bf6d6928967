import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';

/** Authentication (bearer tokens checked by ca-core) and the global role guard. */
@Module({ providers: [Authenticator, { provide: APP_GUARD, useClass: AuthGuard }], exports: [Authenticator] })
export class AuthModule {}
