import { Module } from '@nestjs/common';
import { AUTHENTICATORS } from '../auth/authenticator';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { DiscoveryModule } from '../discovery/discovery.module';
import { RevocationModule } from '../revocation/revocation.module';
import { ClientCertificateAuthenticator } from './client-certificate.authenticator';
import { HttpsListener } from './https.listener';
import { TlsCertificates } from './tls-certificates.service';

/**
 * HTTPS for the intermediary (ADR 0029): its certificate (files, or issued
 * by this CA and renewed), the listener, and the TLS client-certificate
 * authenticator, listed under AUTHENTICATORS when clients are asked for a
 * certificate.
 */
@Module({
  imports: [DiscoveryModule, RevocationModule],
  providers: [
    TlsCertificates,
    HttpsListener,
    ClientCertificateAuthenticator,
    {
      provide: AUTHENTICATORS,
      useFactory: (config: IntermediaryConfig, cert: ClientCertificateAuthenticator) => (config.tls.mode !== 'off' && config.tls.clientAuth ? [cert] : []),
      inject: [CONFIG, ClientCertificateAuthenticator],
    },
  ],
  exports: [TlsCertificates, HttpsListener, ClientCertificateAuthenticator, AUTHENTICATORS],
})
export class TlsModule {}
