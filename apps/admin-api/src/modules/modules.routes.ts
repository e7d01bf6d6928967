import { ModuleListSchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { adminRoute, json, read, withCa, type AdminExtensions } from '../openapi/admin-route';

export const MODULE_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'get',
    path: '/api/v1/modules',
    operationId: 'listModules',
    summary: 'Policy and exit modules the CA has seen',
    tags: ['ca'],
    access: read(),
    ok: ['200', json('The modules', withCa(ModuleListSchema, 'ModuleList'))],
  }),
];
