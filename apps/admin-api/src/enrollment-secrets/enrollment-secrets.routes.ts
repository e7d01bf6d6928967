import { CreateEnrollmentSecretReplySchema, EnrollmentSecretRecordSchema, ListEnrollmentSecretsReplySchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { adminRoute, json, JSON_TYPE, manage, read, withCa, type AdminExtensions } from '../openapi/admin-route';
import { CreateEnrollmentSecretBodySchema, EnrollmentSecretIdPathSchema, EnrollmentSecretsQuerySchema } from './enrollment-secrets.controller';

export const ENROLLMENT_SECRET_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'post',
    path: '/api/v1/enrollment-secrets',
    operationId: 'createEnrollmentSecret',
    summary: 'Create a one-time enrollment secret bound to names and a template (shown once)',
    tags: ['enrollment'],
    access: manage('officer'),
    body: { required: true, content: { [JSON_TYPE]: CreateEnrollmentSecretBodySchema } },
    ok: [
      '201',
      json(
        'The secret as `<id>:<secret>` (`Cache-Control: no-store`): the enrollee sends it as EST Basic credentials (user-id = id) or as the SCEP challengePassword; only its SHA-256 is stored',
        withCa(CreateEnrollmentSecretReplySchema, 'CreatedEnrollmentSecret'),
      ),
    ],
    errors: ['BadMessage', 'TooLarge', 'UnsupportedMediaType'],
  }),
  adminRoute({
    method: 'get',
    path: '/api/v1/enrollment-secrets',
    operationId: 'listEnrollmentSecrets',
    summary: 'Enrollment secrets, newest first: bindings and states, never a secret or its hash',
    tags: ['enrollment'],
    access: read(),
    query: EnrollmentSecretsQuerySchema,
    ok: ['200', json('The secrets', withCa(ListEnrollmentSecretsReplySchema, 'EnrollmentSecretList'))],
    errors: ['BadMessage'],
  }),
  adminRoute({
    method: 'delete',
    path: '/api/v1/enrollment-secrets/{id}',
    operationId: 'revokeEnrollmentSecret',
    summary: 'Revoke an unused enrollment secret; it is refused from the moment this answers',
    tags: ['enrollment'],
    access: manage('officer'),
    params: z.object({ id: EnrollmentSecretIdPathSchema }),
    ok: ['200', json('The secret, revoked', withCa(EnrollmentSecretRecordSchema, 'RevokedEnrollmentSecret'))],
    errors: ['BadMessage', 'NotFound', 'WrongState'],
  }),
];
