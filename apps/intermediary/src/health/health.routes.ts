import { CaNameSchema } from '@signet/contracts';
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
    summary: 'The whole CA is ready: bus connected, the default CA serving its key, its policy module initialized, and exit-service subscribed when required',
    description:
      'Components are checked in order (bus, ca, policy, exitService, tls); each says `ready`, `not required`, why not, or `not checked (<component> is not ready)`. ' +
      'The 503 (CA_UNAVAILABLE) names the first component that is not ready in its message, and carries `details.components`. exitService is required with SIGNET_READY_EXIT_SERVICE (npm start and docker-compose set it); tls, with HTTPS on, until the intermediary has its certificate (ADR 0029).',
    tags: ['meta'],
    responses: {
      '200': {
        description: 'Ready',
        content: {
          'application/json': z
            .object({
              status: z.literal('ready'),
              bus: z.literal('connected'),
              cas: z.number().int().min(1).meta({ description: 'CAs discovered on the bus' }),
              ca: CaNameSchema.meta({ description: 'The default CA that was judged' }),
              components: z.record(z.enum(['bus', 'ca', 'policy', 'exitService', 'tls']), z.string()),
            })
            .meta({ id: 'Readiness' }),
        },
      },
      '503': 'Unavailable',
    },
  },
];
