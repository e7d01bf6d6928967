import { Module } from '@nestjs/common';
import { type Authenticator } from '../auth/authenticator';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { DiscoveryModule } from '../discovery/discovery.module';
import { RevocationModule } from '../revocation/revocation.module';
import { ClientCertificateAuthenticator } from './client-certificate.authenticator';
import { HttpsListener } from './https.listener';
import { TlsCertificates } from './tls-certificates.service';

/**
 * HTTPS for the intermediary (ADR 0029): its certificate (files, or issued
 * by this CA and renewed), the listener, and the TLS client-certificate
 * authenticator, listed under TLS_AUTHENTICATORS (spread into the
 * pipeline's AUTHENTICATORS) when clients are asked for a certificate.
 */
export const TLS_AUTHENTICATORS = Symbol('TLS_AUTHENTICATORS');

@Module({
  imports: [DiscoveryModule, RevocationModule],
  providers: [
    TlsCertificates,
    HttpsListener,
    ClientCertificateAuthenticator,
    {
      provide: TLS_AUTHENTICATORS,
      useFactory: (config: IntermediaryConfig, cert: ClientCertificateAuthenticator): Authenticator[] => (config.tls.mode !== 'off' && config.tls.clientAuth ? [cert] : []),
      inject: [CONFIG, ClientCertificateAuthenticator],
    },
  ],
  exports: [TlsCertificates, HttpsListener, ClientCertificateAuthenticator, TLS_AUTHENTICATORS],
})
export class TlsModule {}
