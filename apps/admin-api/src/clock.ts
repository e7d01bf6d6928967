/**
 * Where admin-api reads the time for its decisions (the principal cache's
 * lifetime, the failed-authentication window): `Date.now` in production,
 * a clock the test moves in the integration tests (createApp's `now`).
 */
export type Now = () => number;

/** DI token for the clock. */
export const NOW = Symbol('Now');
