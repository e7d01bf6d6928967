/**
 * What e2e/ and bench/ may use of ca-core, and all of it: the lint's module
 * boundaries let them import this file and no other of this app (ADR 0017).
 * Not part of the service's build (tsconfig.app.json).
 */
export { countQuery, pageQuery } from './admin/view/view-query';
export { openDatabase } from './database/data-source';
export { issuing, startCaCore, type CaCoreHarness } from './testing/ca-core-harness';
