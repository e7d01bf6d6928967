/**
 * What e2e/ and bench/ may use of exit-service, and all of it: the lint's
 * module boundaries let them import this file and no other of this app
 * (ADR 0017). Not part of the service's build (tsconfig.app.json).
 */
export { DeadLetterStore } from './deadletters/dead-letter.store';
export { ModuleRunner } from './delivery/module-runner';
export { Registration } from './registration/registration';
export { DeliveryStatus } from './status/delivery-status';
export { caEvent, delivery } from './testing/fixtures';
