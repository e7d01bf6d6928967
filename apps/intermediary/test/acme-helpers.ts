import { type AcmeReply } from '../src/testing/acme-client';

export { csrFor, readyOrder } from '../src/testing/acme-client';

/** What the ACME integration specs share: problem types, CSRs, and an order made ready through its challenges. */
export const PROBLEM = 'urn:ietf:params:acme:error:';

export function problemOf(r: AcmeReply): string {
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return String(r.body.type).replace(PROBLEM, '');
}

