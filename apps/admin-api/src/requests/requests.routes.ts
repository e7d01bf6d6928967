import { RequestDetailSchema } from '@signet/contracts';
import { HttpRequestResultSchema, type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { RequestIdPathSchema } from '../http/input';
import { adminRoute, json, JSON_TYPE, manage, read, type AdminExtensions } from '../openapi/admin-route';
import { AttributesObjectSchema, AttributesTextSchema, DenyBodySchema, EmptyBodySchema, ExtensionBodySchema, OidPathSchema, TEXT_TYPE } from './edit-input';

const id = z.object({ id: RequestIdPathSchema });
const noBody = { required: false, content: { [JSON_TYPE]: EmptyBodySchema } };

/** ICertAdmin on requests (requests.controller.ts). */
export const REQUEST_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'get',
    path: '/api/v1/requests/{id}',
    operationId: 'getRequest',
    summary: 'A request with its attributes, extensions and certificate',
    tags: ['requests'],
    access: read(),
    params: id,
    ok: ['200', json('The request', RequestDetailSchema)],
    errors: ['BadMessage', 'NotFound'],
  }),
  adminRoute({
    method: 'post',
    path: '/api/v1/requests/{id}/resubmit',
    operationId: 'resubmitRequest',
    summary: 'Run the policy again with newRequest=false (ICertAdmin::ResubmitRequest)',
    description:
      'Pending and denied requests only; a failed, issued or revoked one is 409 WRONG_STATE. Answers the new disposition (with the certificate when issued). Two officers racing on one request: one wins, the other gets 409.',
    tags: ['requests'],
    access: manage('officer'),
    params: id,
    body: noBody,
    ok: ['200', json('The new disposition', HttpRequestResultSchema)],
    errors: ['BadMessage', 'NotFound', 'WrongState', 'TooLarge', 'UnsupportedMediaType'],
  }),
  adminRoute({
    method: 'post',
    path: '/api/v1/requests/{id}/deny',
    operationId: 'denyRequest',
    summary: 'Deny a pending request (ICertAdmin::DenyRequest)',
    tags: ['requests'],
    access: manage('officer'),
    params: id,
    body: { required: false, content: { [JSON_TYPE]: DenyBodySchema } },
    ok: ['200', json('The new disposition (denied)', HttpRequestResultSchema)],
    errors: ['BadMessage', 'NotFound', 'WrongState', 'TooLarge', 'UnsupportedMediaType'],
  }),
  adminRoute({
    method: 'patch',
    path: '/api/v1/requests/{id}/attributes',
    operationId: 'setRequestAttributes',
    summary: 'Add or change attributes of a pending request (ICertAdmin::SetRequestAttributes)',
    description: 'The raw attribute string as submitted never changes; the parsed attributes get origin admin. Resubmit to let the policy see them.',
    tags: ['requests'],
    access: manage('officer'),
    params: id,
    body: {
      required: true,
      description: 'An object of name → value, or the AD CS string `name:value` lines (as a JSON string or a text/plain body)',
      content: { [JSON_TYPE]: z.union([AttributesObjectSchema, AttributesTextSchema]), [TEXT_TYPE]: AttributesTextSchema },
    },
    ok: ['200', json('The request as it now is', RequestDetailSchema)],
    errors: ['BadMessage', 'NotFound', 'WrongState', 'TooLarge', 'UnsupportedMediaType'],
  }),
  adminRoute({
    method: 'put',
    path: '/api/v1/requests/{id}/extensions/{oid}',
    operationId: 'setRequestExtension',
    summary: 'Set an extension on a pending request (ICertAdmin::SetCertificateExtension, origin admin)',
    description: "An admin extension wins over the policy's on the next resubmit (ADR 0005).",
    tags: ['requests'],
    access: manage('officer'),
    params: z.object({ id: RequestIdPathSchema, oid: OidPathSchema.meta({ description: 'Dotted OID' }) }),
    body: { required: true, content: { [JSON_TYPE]: ExtensionBodySchema } },
    ok: ['200', json('The request as it now is', RequestDetailSchema)],
    errors: ['BadMessage', 'NotFound', 'WrongState', 'TooLarge', 'UnsupportedMediaType'],
  }),
];
