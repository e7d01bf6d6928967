/** DI tokens of the ACME module. */
export const ACME_CONFIG = Symbol('AcmeConfig');
export const ACME_STORE = Symbol('AcmeStore');
export const ACME_DATA_SOURCE = Symbol('AcmeDataSource');
export const ACME_READINESS = Symbol('AcmeReadiness');
