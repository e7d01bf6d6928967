import { type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { SCEP_MESSAGE_MEDIA_TYPE } from './scep.service';

const binary = (mediaType: string, description: string) => z.string().meta({ description, contentMediaType: mediaType });

const OPERATION = z.enum(['GetCACaps', 'GetCACert', 'PKIOperation']).meta({ description: 'The SCEP operation (RFC 8894 4)' });

/** Both SCEP paths, GET and POST: the same operations at `/scep` and the classic `/cgi-bin/pkiclient.exe`. */
function scepRoutes(path: string, suffix: string): RouteSpec[] {
  return [
    {
      method: 'get',
      path,
      operationId: `scepGet${suffix}`,
      summary: 'SCEP (RFC 8894): GetCACaps, GetCACert, or PKIOperation with a base64 message',
      description:
        'GetCACaps: the capabilities, one a line. GetCACert: the RA certificate and the CA certificate as a certificates-only PKCS#7. ' +
        'PKIOperation: `message` is the base64 pkiMessage (PKCSReq with an enrollment secret as challengePassword, RenewalReq signed by a certificate of this CA, CertPoll, GetCRL); ' +
        'the answer is a CertRep signed by the RA (SUCCESS, PENDING, or FAILURE with failInfo). Served on plain HTTP too. See docs/ENROLLMENT.md and ADR 0040.',
      tags: ['scep'],
      query: z.object({ operation: OPERATION, message: z.string().optional().meta({ description: 'PKIOperation: the pkiMessage, base64 (URL-encoded); ignored otherwise' }) }),
      responses: {
        '200': {
          description: 'The answer of the operation',
          content: {
            'text/plain': z.string().meta({ description: 'GetCACaps' }),
            'application/x-x509-ca-ra-cert': binary('application/x-x509-ca-ra-cert', 'GetCACert: DER PKCS#7 certificates-only, RA certificate first'),
            [SCEP_MESSAGE_MEDIA_TYPE]: binary(SCEP_MESSAGE_MEDIA_TYPE, 'PKIOperation: the CertRep, DER'),
          },
        },
        '400': 'BadMessage',
        '404': 'NotFound',
        '500': 'Internal',
        '503': 'Unavailable',
      },
    },
    {
      method: 'post',
      path,
      operationId: `scepPost${suffix}`,
      summary: 'SCEP PKIOperation with the binary pkiMessage as the body',
      tags: ['scep'],
      query: z.object({ operation: z.literal('PKIOperation') }),
      body: {
        required: true,
        content: {
          [SCEP_MESSAGE_MEDIA_TYPE]: binary(SCEP_MESSAGE_MEDIA_TYPE, 'the pkiMessage, DER (also as application/octet-stream or without a Content-Type)'),
        },
      },
      responses: {
        '200': { description: 'The CertRep', content: { [SCEP_MESSAGE_MEDIA_TYPE]: binary(SCEP_MESSAGE_MEDIA_TYPE, 'CertRep, DER') } },
        '400': 'BadMessage',
        '404': 'NotFound',
        '413': 'TooLarge',
        '415': 'UnsupportedMediaType',
        '500': 'Internal',
        '503': 'Unavailable',
      },
    },
  ];
}

export const SCEP_ROUTES: RouteSpec[] = [...scepRoutes('/scep', ''), ...scepRoutes('/cgi-bin/pkiclient.exe', 'Cgi')];
