import { CaNameSchema, ViewReplySchema, ViewRowSchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { adminRoute, json, read, withCa, type AdminExtensions } from '../openapi/admin-route';
import { ExportQuerySchema, ViewQuerySchema } from './view-query';
import { EXPORT_MEDIA_TYPES } from './view.service';

const ViewExportSchema = z
  .object({ ca: CaNameSchema, rows: z.array(ViewRowSchema), exported: z.number().int(), total: z.number().int(), truncated: z.boolean() })
  .meta({ id: 'ViewExport' });

/** ICertView (view.controller.ts). */
export const VIEW_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'get',
    path: '/api/v1/view',
    operationId: 'view',
    summary: 'List and search requests and certificates (ICertView)',
    tags: ['view'],
    access: read(),
    query: ViewQuerySchema,
    ok: ['200', json('One page', withCa(ViewReplySchema, 'ViewPage'))],
    errors: ['BadMessage'],
  }),
  adminRoute({
    method: 'get',
    path: '/api/v1/view/export',
    operationId: 'viewExport',
    summary: 'Every matching row, streamed as CSV or JSON, up to SIGNET_EXPORT_MAX_ROWS',
    description:
      "Headers `X-Total-Count`, `X-Export-Max-Rows`, `X-Export-Truncated` are set before the body. A failure half-way cuts the connection rather than ending a short file cleanly. CSV cells that a spreadsheet would run as formulas are prefixed with `'`. `limit` and `cursor` are refused: an export has no pages.",
    tags: ['view'],
    access: read(),
    query: ExportQuerySchema,
    ok: [
      '200',
      {
        description: 'The rows',
        content: {
          'text/csv': z.string().meta({ description: 'A header line of AD CS column names, then one line per row', contentMediaType: EXPORT_MEDIA_TYPES.csv }),
          'application/json': ViewExportSchema,
        },
      },
    ],
    errors: ['BadMessage'],
  }),
];
