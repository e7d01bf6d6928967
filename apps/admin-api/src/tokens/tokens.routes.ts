import { CaNameSchema, CreateTokenReplySchema, IsoTimeSchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { adminRoute, json, JSON_TYPE, manage, type AdminExtensions } from '../openapi/admin-route';
import { CreateTokenBodySchema, TokenNamePathSchema } from './tokens.controller';

export const TokenRevokedSchema = z.object({ ca: CaNameSchema, name: z.string(), revoked: z.literal(true), revokedAt: IsoTimeSchema }).meta({ id: 'TokenRevoked' });

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
  adminRoute({
    method: 'delete',
    path: '/api/v1/tokens/{name}',
    operationId: 'revokeToken',
    summary: 'Revoke an admin token; every admin-api replica refuses it from the moment this answers',
    tags: ['ca'],
    access: manage('ca-admin'),
    params: z.object({ name: TokenNamePathSchema }),
    ok: ['200', json('The token is revoked (its name stays taken)', TokenRevokedSchema)],
    errors: ['BadMessage', 'NotFound'],
  }),
];
