import { type RouteSpec } from '@signet/http';
import { z } from 'zod';

/** The probes, outside /api/v1 (health.controller.ts). */
export const HEALTH_ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'liveness',
    summary: 'The process is alive',
    tags: ['meta'],
    responses: { '200': { description: 'Alive', content: { 'application/json': z.object({ status: z.literal('ok') }) } } },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'The bus is connected and at least one CA is discovered',
    tags: ['meta'],
    responses: {
      '200': {
        description: 'Ready',
        content: { 'application/json': z.object({ status: z.literal('ready'), bus: z.literal('connected'), cas: z.number().int().min(1) }).meta({ id: 'Readiness' }) },
      },
      '503': 'Unavailable',
    },
  },
];
