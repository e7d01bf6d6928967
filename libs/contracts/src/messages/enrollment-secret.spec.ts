import {
  CheckEnrollmentSecretSchema,
  CreateEnrollmentSecretSchema,
  ENROLLMENT_SECRET_TTL,
  enrollmentSecretIdOfOneTime,
  enrollmentSecretOneTime,
  splitEnrollmentCredential,
} from './enrollment-secret';

const ID = 'es-0123456789abcdef';
const actor = { name: 'olivia', roles: ['officer' as const] };

describe('enrollment secret contracts', () => {
  it.each([
    ['ok/<id>:<secret>', `${ID}:${'ab'.repeat(32)}`, { id: ID, secret: 'ab'.repeat(32) }],
    ['ok/split at the first colon', 'a:b:c', { id: 'a', secret: 'b:c' }],
    ['fail/no colon', 'ab'.repeat(32), undefined],
  ])('splitEnrollmentCredential %s', (_n, raw, parts) => expect(splitEnrollmentCredential(raw)).toEqual(parts));

  it.each([
    ['ok/a secret\'s one-time id', enrollmentSecretOneTime(ID), ID],
    ['fail/another method\'s', 'enrollment-token:jti-1', undefined],
    ['fail/a malformed id', 'enrollment-secret:es-xyz', undefined],
  ])('enrollmentSecretIdOfOneTime %s', (_n, oneTime, id) => expect(enrollmentSecretIdOfOneTime(oneTime)).toBe(id));

  it('ok/create: 7 days unless said otherwise, groups default to none', () => {
    expect(CreateEnrollmentSecretSchema.parse({ names: [{ type: 'dns', value: 'a.example.com' }], template: 'WebServer' })).toMatchObject({ ttlSeconds: ENROLLMENT_SECRET_TTL.defaultSeconds, groups: [] });
  });
  it.each([
    ['no names', { names: [] }],
    ['over 90 days', { ttlSeconds: 90 * 86_400 + 1 }],
    ['an unknown field', { secret: 'mine' }],
    ['an actor in the body (it comes from the admin assertion only, ADR 0028)', { actor }],
    ['a control character in a name', { names: [{ type: 'dns', value: 'a\nb' }] }],
  ])('fail/create with %s', (_n, extra) => {
    expect(CreateEnrollmentSecretSchema.safeParse({ names: [{ type: 'dns', value: 'a.example.com' }], template: 'WebServer', ...extra }).success).toBe(false);
  });
  it('ok/check takes what was presented as it came (ca-core decides), bounded', () => {
    expect(CheckEnrollmentSecretSchema.safeParse({ id: 'anything', secret: 'x' }).success).toBe(true);
    expect(CheckEnrollmentSecretSchema.safeParse({ id: ID, secret: 'x'.repeat(257) }).success).toBe(false);
  });
});
