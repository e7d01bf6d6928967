import { PublishCrlReplySchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { adminRoute, json, JSON_TYPE, manage, withCa, type AdminExtensions } from '../openapi/admin-route';
import { PublishCrlBodySchema } from './crls.controller';

/** ICertAdmin::PublishCRLs (crls.controller.ts). */
export const CRL_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'post',
    path: '/api/v1/crls/publish',
    operationId: 'publishCrl',
    summary: 'Issue a base CRL, or a delta CRL with {"delta":true}, now (ICertAdmin::PublishCRLs, certutil -CRL)',
    tags: ['crls'],
    access: manage('ca-admin'),
    body: { required: false, content: { [JSON_TYPE]: PublishCrlBodySchema } },
    ok: ['200', json('The CRL that was issued', withCa(PublishCrlReplySchema, 'PublishCrlResult'))],
    errors: ['BadMessage', 'TooLarge', 'UnsupportedMediaType'],
  }),
];
