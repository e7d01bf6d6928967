import { CA_PROPERTY_NAMES, CaNameSchema, CaPropertyNameSchema, CaRecordSchema, PemSchema } from '@signet/contracts';
import { queryBool, queryOne, type RouteSpec } from '@signet/http';
import { z } from 'zod';
import { CaPathSchema } from '../http/input';
import { parsePropertyNames, PEM_CHAIN_MEDIA_TYPE } from './cas.service';

const JSON_TYPE = 'application/json';
const caPath = z.object({ ca: CaPathSchema });

/** `?chain=&format=` of GET /api/v1/cas/{ca}/certificate. */
export const CaCertificateQuerySchema = z.object({
  chain: queryBool(false).meta({ description: 'Include the chain up to the root' }),
  format: queryOne(z.enum(['json', 'pem']))
    .optional()
    .meta({ description: 'Answer format; without it, PEM when `Accept` names application/pem-certificate-chain, else JSON' }),
});

/** `?names=` of GET /api/v1/cas/{ca}/properties: comma-separated or repeated; absent → all. */
export const CaPropertiesQuerySchema = z.object({
  names: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform(parsePropertyNames)
    .pipe(z.array(CaPropertyNameSchema).max(32).optional())
    .meta({ description: 'Property names, comma-separated or repeated (default: all)', examples: [['CAName', 'Templates']] }),
});

const DefaultSourceSchema = z
  .enum(['configured', 'declared', 'first'])
  .meta({ description: '`configured`: SIGNET_DEFAULT_CA; `declared`: the one CA declaring isDefault; `first`: the only CA on the bus' });

const CaListSchema = z
  .object({
    default: z
      .object({ name: CaNameSchema, source: DefaultSourceSchema, available: z.boolean().meta({ description: 'The default CA was discovered' }) })
      .nullable()
      .meta({ description: 'The CA a request without `ca` goes to, and why; null when there is none (no CA, or several and none the default)' }),
    cas: z.array(CaRecordSchema),
  })
  .meta({ id: 'CaList' });

const CaCertificateSchema = z
  .object({ ca: CaNameSchema, certificate: PemSchema, chain: z.array(PemSchema).max(8).optional().meta({ description: 'The CA certificate first, up to the root' }) })
  .meta({ id: 'CaCertificate' });

const CaPropertiesSchema = z
  .object({
    ca: CaNameSchema,
    properties: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]))
      .meta({ description: `By AD CS name: ${CA_PROPERTY_NAMES.join(', ')}` }),
  })
  .meta({ id: 'CaProperties' });

export const CA_ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/api/v1/cas',
    operationId: 'listCas',
    summary: 'Every CA discovered on the bus and which one is the default (ICertConfig)',
    tags: ['cas'],
    responses: { '200': { description: 'The CAs, sorted by name', content: { [JSON_TYPE]: CaListSchema } }, '500': 'Internal' },
  },
  {
    method: 'get',
    path: '/api/v1/cas/default',
    operationId: 'getDefaultCa',
    summary: 'The default CA (CC_DEFAULTCONFIG): configured, else the one CA declaring itself default, else the only CA',
    tags: ['cas'],
    responses: {
      '200': { description: 'The default CA', content: { [JSON_TYPE]: z.object({ source: DefaultSourceSchema, ca: CaRecordSchema }).meta({ id: 'DefaultCa' }) } },
      '400': 'CaRequired',
      '500': 'Internal',
      '503': 'Unavailable',
    },
  },
  {
    method: 'get',
    path: '/api/v1/cas/{ca}',
    operationId: 'getCa',
    summary: 'One CA record (ICertConfig::GetField)',
    tags: ['cas'],
    params: caPath,
    responses: { '200': { description: 'The CA record', content: { [JSON_TYPE]: CaRecordSchema } }, '404': 'UnknownCa', '500': 'Internal' },
  },
  {
    method: 'get',
    path: '/api/v1/cas/{ca}/certificate',
    operationId: 'getCaCertificate',
    summary: 'The CA certificate, optionally with its chain (ICertRequest::GetCACertificate)',
    description: 'JSON by default; PEM text with `?format=pem` or `Accept: application/pem-certificate-chain` (`format` wins).',
    tags: ['cas'],
    params: caPath,
    query: CaCertificateQuerySchema,
    responses: {
      '200': {
        description: 'The certificate (and chain)',
        content: {
          [JSON_TYPE]: CaCertificateSchema,
          [PEM_CHAIN_MEDIA_TYPE]: z.string().meta({ description: 'The chain when asked for (CA certificate first), else the CA certificate', contentMediaType: PEM_CHAIN_MEDIA_TYPE }),
        },
      },
      '400': 'BadMessage',
      '404': 'UnknownCa',
      '500': 'Internal',
      '503': 'Unavailable',
    },
  },
  {
    method: 'get',
    path: '/api/v1/cas/{ca}/properties',
    operationId: 'getCaProperties',
    summary: 'CA properties by AD CS name (ICertRequest::GetCAProperty)',
    tags: ['cas'],
    params: caPath,
    query: CaPropertiesQuerySchema,
    responses: {
      '200': { description: 'The properties', content: { [JSON_TYPE]: CaPropertiesSchema } },
      '400': 'BadMessage',
      '404': 'UnknownCa',
      '500': 'Internal',
      '503': 'Unavailable',
    },
  },
];
