import { CaNameSchema, RoleSchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { adminRoute, json, read, type AdminExtensions } from '../openapi/admin-route';

const MeSchema = z
  .object({
    ca: CaNameSchema,
    name: z.string(),
    roles: z.array(RoleSchema),
    roleSeparation: z.boolean(),
    mayManage: z.boolean().meta({ description: 'False when role separation refuses this caller every management call' }),
  })
  .meta({ id: 'Me' });

export const ME_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'get',
    path: '/api/v1/me',
    operationId: 'me',
    summary: 'The caller, their roles, and whether role separation lets them manage (ICertAdmin2::GetMyRoles)',
    tags: ['ca'],
    access: read(),
    ok: ['200', json('The caller', MeSchema)],
  }),
];
