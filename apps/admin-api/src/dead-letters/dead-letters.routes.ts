import { DeadLetterDiscardReplySchema, DeadLetterListReplySchema, DeadLetterReplayAllReplySchema, DeadLetterReplayReplySchema, ExitStatusReplySchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { adminRoute, json, JSON_TYPE, manage, read, withCa, type AdminExtensions } from '../openapi/admin-route';
import { EmptyBodySchema } from '../requests/edit-input';
import { DeadLetterIdPathSchema, DeadLetterListQuerySchema, ReplayAllBodySchema } from './dead-letters.controller';

const id = z.object({ id: DeadLetterIdPathSchema });

/** exit-service's dead letters and delivery status (dead-letters.controller.ts, exit-status.controller.ts). */
export const DEAD_LETTER_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'get',
    path: '/api/v1/dead-letters',
    operationId: 'listDeadLetters',
    summary: 'Events an exit module gave up on (exit-service)',
    tags: ['ca'],
    access: read('ca-admin', 'officer'),
    query: DeadLetterListQuerySchema,
    ok: ['200', json('Dead letters', withCa(DeadLetterListReplySchema, 'DeadLetterList'))],
    errors: ['BadMessage'],
  }),
  adminRoute({
    method: 'get',
    path: '/api/v1/exit-modules',
    operationId: 'exitModules',
    summary: "How far behind exit-service's modules are: events waiting and in delivery per event, dead letters (EJBCA's publisher queue)",
    description: "exit-service's modules and how far behind each is (from their durable consumers); modules run by other processes are not listed.",
    tags: ['ca'],
    access: read(),
    ok: ['200', json('The modules with their consumers', withCa(ExitStatusReplySchema, 'ExitModules'))],
  }),
  adminRoute({
    method: 'post',
    path: '/api/v1/dead-letters/replay-all',
    operationId: 'replayAllDeadLetters',
    summary: "Replay one module's dead letters, oldest first, once its receiver is fixed",
    description: 'Stops at the first one that fails again (it stays, and the answer says why), after `limit`, or after about 4 s; ask again while `remaining` is above 0.',
    tags: ['ca'],
    access: manage('ca-admin'),
    body: { required: true, content: { [JSON_TYPE]: ReplayAllBodySchema } },
    ok: ['200', json('What was replayed', withCa(DeadLetterReplayAllReplySchema, 'ReplayAllResult'))],
    errors: ['BadMessage', 'WrongState', 'TooLarge', 'UnsupportedMediaType'],
  }),
  adminRoute({
    method: 'delete',
    path: '/api/v1/dead-letters/{id}',
    operationId: 'discardDeadLetter',
    summary: 'Drop a dead letter without delivering it (the CA keeps the request, certificate and audit record)',
    tags: ['ca'],
    access: manage('ca-admin'),
    params: id,
    ok: ['200', json('What was dropped', withCa(DeadLetterDiscardReplySchema, 'DiscardResult'))],
    errors: ['BadMessage', 'NotFound'],
  }),
  adminRoute({
    method: 'post',
    path: '/api/v1/dead-letters/{id}/replay',
    operationId: 'replayDeadLetter',
    summary: 'Hand a dead letter to its exit module again',
    tags: ['ca'],
    access: manage('ca-admin'),
    params: id,
    body: { required: false, content: { [JSON_TYPE]: EmptyBodySchema } },
    ok: ['200', json('The replay result', withCa(DeadLetterReplayReplySchema, 'ReplayResult'))],
    errors: ['BadMessage', 'NotFound'],
  }),
];
