import { CreateTokenReplySchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { adminRoute, json, JSON_TYPE, manage, type AdminExtensions } from '../openapi/admin-route';
import { CreateTokenBodySchema } from './tokens.controller';

export const TOKEN_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'post',
    path: '/api/v1/tokens',
    operationId: 'createToken',
    summary: 'Create an admin token with roles (shown once)',
    tags: ['ca'],
    access: manage('ca-admin'),
    body: { required: true, content: { [JSON_TYPE]: CreateTokenBodySchema } },
    ok: ['201', json('The token (`Cache-Control: no-store`); only its SHA-256 is stored', CreateTokenReplySchema.meta({ id: 'TokenCreated' }))],
    errors: ['BadMessage', 'TooLarge', 'UnsupportedMediaType'],
  }),
];
