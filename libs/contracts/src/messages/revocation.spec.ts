import { Commands, Events } from '../subjects';
import { CRL_CHUNK_BYTES, CrlFetchReplySchema, CrlFetchRequestSchema, OCSP_REQUEST_MAX_BYTES, OcspRespondReplySchema, OcspRespondRequestSchema, PublishCrlRequestSchema } from './revocation';

describe('revocation subjects', () => {
  it('ok/fixed tokens first, the CA second; publishing is an admin subject', () => {
    expect(Commands.adminPublishCrl.subject('acme')).toBe('ca.acme.admin.crl.publish');
    expect(Commands.crlFetch.subject('acme')).toBe('ca.acme.crl.fetch');
    expect(Commands.ocspRespond.subject('acme')).toBe('ca.acme.ocsp.respond');
    expect(Events.certificateEventsOfCa('acme')).toBe('ca.acme.events.certificate.>');
    expect(() => Events.certificateEventsOfCa('a.>')).toThrow(/invalid CA name/);
  });
});

describe('revocation messages', () => {
  it.each([
    ['ok/publish a base by default', PublishCrlRequestSchema, {}, { delta: false }],
    ['ok/publish a delta', PublishCrlRequestSchema, { delta: true }, { delta: true }],
    ['ok/fetch the newest base from the start', CrlFetchRequestSchema, {}, { delta: false, offset: 0, metaOnly: false }],
    ['ok/fetch a slice of a numbered delta', CrlFetchRequestSchema, { delta: true, number: 7, offset: CRL_CHUNK_BYTES }, { delta: true, number: 7, offset: CRL_CHUNK_BYTES, metaOnly: false }],
    ['ok/an OCSP request', OcspRespondRequestSchema, { request: 'MEMwQTA/' }, { request: 'MEMwQTA/' }],
  ])('%s', (_n, schema, msg, parsed) => expect((schema as typeof CrlFetchRequestSchema).parse(msg)).toEqual(parsed));

  it.each([
    ['fail/publish with an actor in the body (it comes from the admin assertion only)', PublishCrlRequestSchema, { actor: { name: 'root', roles: ['ca-admin'] }, delta: true }],
    ['fail/publish with an unknown field', PublishCrlRequestSchema, { full: true }],
    ['fail/fetch with a negative offset', CrlFetchRequestSchema, { offset: -1 }],
    ['fail/fetch CRL number 0', CrlFetchRequestSchema, { number: 0 }],
    ['fail/OCSP request that is not base64', OcspRespondRequestSchema, { request: 'not base64!' }],
    ['fail/OCSP request over the limit', OcspRespondRequestSchema, { request: 'A'.repeat(Math.ceil(OCSP_REQUEST_MAX_BYTES / 3) * 4 + 4) }],
    ['fail/a CRL slice larger than a bus message allows', CrlFetchReplySchema, { number: 1, delta: false, baseNumber: null, thisUpdate: '2026-01-01T00:00:00Z', nextUpdate: '2026-01-02T00:00:00Z', entries: 0, size: 1, sha256: '0'.repeat(64), offset: 0, chunk: 'A'.repeat(700_000) }],
    ['fail/an OCSP status RFC 6960 does not have', OcspRespondReplySchema, { status: 'revoked', response: '', cacheable: false, serials: [] }],
  ])('%s', (_n, schema, msg) => expect((schema as typeof CrlFetchRequestSchema).safeParse(msg).success).toBe(false));
});
