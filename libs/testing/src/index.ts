/** Test-only helpers shared by every project's specs (never imported by production code; the linter enforces it). */
export * from './nats-server';
export * from './scratch';
export * from './smtp';
export * from './wait';
export * from './fuzz';
export * from './oidc-issuer';
export * from './tls';
export * from './challtestsrv';
