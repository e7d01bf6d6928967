import { CaNameSchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { adminRoute, json, PUBLIC, type AdminExtensions } from '../openapi/admin-route';

/** The probes, outside /api/v1 and without a token (health.controller.ts). */
export const HEALTH_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'liveness',
    summary: 'The process is alive',
    tags: ['meta'],
    access: PUBLIC,
    ok: ['200', json('Alive', z.object({ status: z.literal('ok') }))],
  }),
  adminRoute({
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'The bus is connected and this CA answers on it',
    tags: ['meta'],
    access: PUBLIC,
    ok: ['200', json('Ready', z.object({ status: z.literal('ready'), bus: z.literal('connected'), ca: CaNameSchema }).meta({ id: 'Readiness' }))],
    errors: ['Unavailable'],
  }),
];
