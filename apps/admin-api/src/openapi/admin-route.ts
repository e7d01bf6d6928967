import { CaNameSchema } from '@signet/contracts';
import { ErrorBodySchema, type AnswerSpec, type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { READ_ROLES } from '../auth/access';

/*
 * admin-api's rows of the route table: each carries who may call it
 * (`x-signet-access`, mirroring the handler's access decorator; a test
 * compares them) and the error answers every authenticated call has.
 */

/** Signet extension: who may call the operation. */
export type AccessDoc = { kind: 'public' } | { kind: 'read' | 'manage'; roles: readonly string[] };

export const read = (...roles: string[]): AccessDoc => ({ kind: 'read', roles: roles.length ? roles : [...READ_ROLES] });
export const manage = (...roles: string[]): AccessDoc => ({ kind: 'manage', roles });
export const PUBLIC: AccessDoc = { kind: 'public' };

const ERROR_STATUS = { BadMessage: '400', NotFound: '404', WrongState: '409', AlreadyExists: '409', TooLarge: '413', UnsupportedMediaType: '415', Unavailable: '503' } as const;
export type ErrorName = keyof typeof ERROR_STATUS;
export const JSON_TYPE = 'application/json';
export const json = (description: string, schema: z.ZodType): AnswerSpec => ({ description, content: { [JSON_TYPE]: schema } });

/** What admin-api adds to every operation. */
export interface AdminExtensions {
  'x-signet-access': AccessDoc;
  /** `[]` on the public routes: no token. */
  security?: Record<string, string[]>[];
}

export interface AdminRouteSpec extends Omit<RouteSpec, 'responses' | 'extensions'> {
  access: AccessDoc;
  ok: [status: string, answer: AnswerSpec];
  errors?: ErrorName[];
}

/**
 * One operation; every authenticated one answers 401, 403, 429, 500 and
 * 503, and lists who may call it under `x-signet-access`.
 */
export function adminRoute({ access, ok, errors = [], ...route }: AdminRouteSpec): RouteSpec<AdminExtensions> {
  const responses: RouteSpec['responses'] = { [ok[0]]: ok[1] };
  for (const e of errors) responses[ERROR_STATUS[e]] = e;
  const authenticated = access.kind !== 'public';
  if (authenticated) {
    responses['401'] = 'Unauthorized';
    responses['403'] = 'Forbidden';
    responses['429'] = 'RateLimited';
    responses['503'] = 'Unavailable';
  }
  responses['500'] = 'Internal';
  return { ...route, extensions: { 'x-signet-access': access, ...(authenticated ? {} : { security: [] }) }, responses };
}

const error = (description: string): AnswerSpec => ({ description, content: { [JSON_TYPE]: ErrorBodySchema } });

/** The answers every document operation refers to by name. */
export const SHARED_ANSWERS: Record<string, AnswerSpec> = {
  BadMessage: error('BAD_MESSAGE (a missing, unknown or invalid field or parameter; `details.field` names it, or `details.fields` several) or BAD_ATTRIBUTES'),
  Unauthorized: {
    ...error('UNAUTHORIZED: no token, or a token ca-core does not know'),
    headers: { 'WWW-Authenticate': { description: '`Bearer realm="signet-admin"`, with `error="invalid_token"` when a token was refused', schema: z.string(), required: true } },
  },
  RateLimited: {
    ...error('RATE_LIMITED: too many refused tokens from this address (SIGNET_AUTH_FAILURE_LIMIT within SIGNET_AUTH_FAILURE_WINDOW_SECONDS); the token was not checked'),
    headers: { 'Retry-After': { description: 'Seconds until this address may try again', schema: z.number().int(), required: true } },
  },
  Forbidden: error('FORBIDDEN: the caller lacks the role (`details.reason` MISSING_ROLE), or role separation refuses a caller with two or more roles (ROLE_SEPARATION) or an officer approving a request they submitted (SELF_APPROVAL, from ca-core)'),
  NotFound: error('NOT_FOUND: no such request, certificate or dead letter'),
  AlreadyExists: error("ALREADY_EXISTS: the CA's database holds a certificate with this serial already (`details.requestId` names its request)"),
  WrongState: error(
    "WRONG_STATE: the request's state does not allow this action (AD CS 0x80094003), e.g. resubmitting a failed request, editing an issued one, releasing a revocation that is not a hold",
  ),
  TooLarge: error('TOO_LARGE: the body exceeds SIGNET_BODY_LIMIT_BYTES or a field its limit'),
  UnsupportedMediaType: error('UNSUPPORTED_MEDIA_TYPE: a body that is neither application/json nor text/plain'),
  Internal: error('INTERNAL: an unexpected fault (details are logged, never returned)'),
  Unavailable: {
    ...error('CA_UNAVAILABLE: ca-core (or exit-service) did not answer in SIGNET_CA_TIMEOUT_MS; retry after the given seconds'),
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: z.number().int(), required: true } },
  },
};

/** An answer from ca-core or exit-service with the CA it came from, as admin-api sends it. */
export const withCa = (reply: z.ZodObject, id: string) => z.object({ ca: CaNameSchema, ...reply.shape }).meta({ id });
