import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FailureLimiter } from '@signet/http';
import { NOW, type Now } from '../clock';
import { CONFIG, type AdminConfig } from '../config/config';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { RevocationNotices } from './revocation-notices';

/** Authentication (bearer tokens checked by ca-core, revocations heard at once), the failed-authentication limit, and the global role guard. */
@Module({
  providers: [
    Authenticator,
    RevocationNotices,
    { provide: FailureLimiter, useFactory: (config: AdminConfig, now: Now) => new FailureLimiter({ ...config.authFailures, now }), inject: [CONFIG, NOW] },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [Authenticator],
})
export class AuthModule {}
