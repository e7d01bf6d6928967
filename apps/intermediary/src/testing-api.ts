/**
 * What e2e/ and bench/ may use of the intermediary, and all of it: the
 * lint's module boundaries let them import this file and no other of this
 * app (ADR 0017). Not part of the service's build (tsconfig.app.json).
 */
export { loadConfig } from './config/config';
export { DiscoveryService } from './discovery/discovery.service';
export { RevocationClient } from './revocation/revocation.client';
export { ClientCertificateAuthenticator } from './tls/client-certificate.authenticator';
export { openAcmeDatabase } from './acme/database/data-source';
export { AcmeStore } from './acme/acme.store';
export { createApp } from './app.setup';
export { ChallengeValidator } from './acme/validation/challenge-validator';
export { AcmeTestClient, csrFor, readyOrder } from './testing/acme-client';
