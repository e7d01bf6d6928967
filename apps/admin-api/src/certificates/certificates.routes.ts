import { CaNameSchema, CertificateStatusSchema, REVOCATION_REASONS, RequestDetailSchema } from '@signet/contracts';
import { type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { SerialPathSchema } from '../http/input';
import { adminRoute, json, JSON_TYPE, manage, read, type AdminExtensions } from '../openapi/admin-route';
import { EmptyBodySchema } from '../requests/edit-input';
import { ImportCertificateBodySchema } from './certificates.controller';
import { RevokeBodySchema } from './revoke-input';

const serial = z.object({ serial: SerialPathSchema });
const REASON_NAMES = Object.keys(REVOCATION_REASONS) as [string, ...string[]];

/** A certificate's status as admin-api answers it (statusBody): the CA, and the reason's name next to its number. */
const CertificateStatusAnswerSchema = z
  .object({ ca: CaNameSchema, ...CertificateStatusSchema.shape, reasonName: z.enum(REASON_NAMES).optional() })
  .meta({ id: 'CertificateStatusAnswer' });

/** ICertAdmin on certificates (certificates.controller.ts). */
export const CERTIFICATE_ROUTES: RouteSpec<AdminExtensions>[] = [
  adminRoute({
    method: 'post',
    path: '/api/v1/certificates/import',
    operationId: 'importCertificate',
    summary: 'Record a certificate this CA issued that its database lacks (ICertAdmin::ImportCertificate, certutil -importcert)',
    description:
      "For a certificate signed by this CA's key under its name before the database knew of it (a restore from an older backup, a CA moved to Signet with its key). " +
      'It becomes a request of type `imported`, disposition issued, revocable and on CRLs like any other; exit modules get certificate.imported. ' +
      "400 MALFORMED_CERTIFICATE when it is not one X.509 certificate, 400 FOREIGN_CERTIFICATE when this CA did not issue it (or it is the CA's own), 409 ALREADY_EXISTS when its serial is in the database.",
    tags: ['certificates'],
    access: manage('officer'),
    body: { required: true, content: { [JSON_TYPE]: ImportCertificateBodySchema } },
    ok: [
      '201',
      {
        description: 'The new request row with its certificate',
        headers: { Location: { description: '`/api/v1/requests/{id}`', schema: z.string() } },
        content: { [JSON_TYPE]: RequestDetailSchema },
      },
    ],
    errors: ['BadMessage', 'AlreadyExists', 'TooLarge', 'UnsupportedMediaType'],
  }),
  adminRoute({
    method: 'get',
    path: '/api/v1/certificates/{serial}',
    operationId: 'getCertificate',
    summary: 'A certificate and the request it was issued for',
    tags: ['certificates'],
    access: read(),
    params: serial,
    ok: ['200', json('The request with its certificate', RequestDetailSchema)],
    errors: ['BadMessage', 'NotFound'],
  }),
  adminRoute({
    method: 'get',
    path: '/api/v1/certificates/{serial}/status',
    operationId: 'getCertificateStatus',
    summary: 'Issued and not revoked? (ICertAdmin::IsValidCertificate; does not check expiry)',
    tags: ['certificates'],
    access: read(),
    params: serial,
    ok: ['200', json('The status', CertificateStatusAnswerSchema)],
    errors: ['BadMessage', 'NotFound'],
  }),
  adminRoute({
    method: 'post',
    path: '/api/v1/certificates/{serial}/revoke',
    operationId: 'revokeCertificate',
    summary: 'Revoke (ICertAdmin::RevokeCertificate); repeatable to change the reason or dates',
    tags: ['certificates'],
    access: manage('officer'),
    params: serial,
    body: { required: false, content: { [JSON_TYPE]: RevokeBodySchema } },
    ok: ['200', json('The status after revocation', CertificateStatusAnswerSchema)],
    errors: ['BadMessage', 'NotFound', 'WrongState', 'TooLarge', 'UnsupportedMediaType'],
  }),
  adminRoute({
    method: 'post',
    path: '/api/v1/certificates/{serial}/release',
    operationId: 'releaseCertificate',
    summary: 'Release from hold (RevokeCertificate with MAXDWORD); only a certificateHold revocation, else 409',
    tags: ['certificates'],
    access: manage('officer'),
    params: serial,
    body: { required: false, content: { [JSON_TYPE]: EmptyBodySchema } },
    ok: ['200', json('The status after release', CertificateStatusAnswerSchema)],
    errors: ['BadMessage', 'NotFound', 'WrongState', 'TooLarge', 'UnsupportedMediaType'],
  }),
];
