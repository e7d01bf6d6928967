import { type NatsConnection } from '@nats-io/transport-node';
import { type Provider, type Type } from '@nestjs/common';
import { OcspSignerService } from '../ocsp/ocsp-signer.service';
import { OcspController } from '../ocsp/ocsp.controller';
import { OcspService } from '../ocsp/ocsp.service';
import { CrlController } from './crl.controller';
import { CrlScheduler, REVOCATION_NATS } from './crl.scheduler';
import { CrlService } from './crl.service';
import { CrlStore } from './crl.store';
import { loadRevocationConfig, REVOCATION_CONFIG } from './revocation-config';

export { CrlService } from './crl.service';
export { CrlStore } from './crl.store';
export { REVOCATION_CONFIG, loadRevocationConfig, type RevocationConfig } from './revocation-config';
export { REVOCATION_NATS } from './crl.scheduler';

/** CRL issuance and distribution, and the OCSP responder. Registered by CaCoreModule. */
export const REVOCATION_CONTROLLERS: Type[] = [CrlController, OcspController];

/**
 * The revocation settings are read from the environment when the module is
 * built (before anything is served), so a bad value stops the start.
 */
export function revocationProviders(nc: NatsConnection, env: NodeJS.ProcessEnv = process.env): Provider[] {
  return [
    { provide: REVOCATION_CONFIG, useValue: loadRevocationConfig(env) },
    { provide: REVOCATION_NATS, useValue: nc },
    CrlStore,
    CrlService,
    CrlScheduler,
    OcspSignerService,
    OcspService,
  ];
}
