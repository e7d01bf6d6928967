import { AuditListReplySchema, AuditVerifyReplySchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { adminRoute, json, manage, withCa, type AdminExtensions } from '../openapi/admin-route';
import { AuditQuerySchema } from './audit.controller';

export const AUDIT_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'get',
    path: '/api/v1/audit',
    operationId: 'listAudit',
    summary: 'Audit log entries, oldest first',
    tags: ['ca'],
    access: manage('auditor'),
    query: AuditQuerySchema,
    ok: ['200', json('Entries', withCa(AuditListReplySchema, 'AuditList'))],
    errors: ['BadMessage'],
  }),
  adminRoute({
    method: 'get',
    path: '/api/v1/audit/verify',
    operationId: 'verifyAudit',
    summary: "Check the audit log's hash chain; names the first broken entry",
    tags: ['ca'],
    access: manage('auditor'),
    ok: ['200', json('The result (ok or brokenAt)', withCa(AuditVerifyReplySchema, 'AuditVerify'))],
  }),
];
