import { DISPOSITIONS } from '@signet/contracts';
import { ref, type Schema } from './openapi';

/*
 * Schemas of contract messages that both HTTP services answer with (the
 * intermediary's submit and admin-api's resubmit/deny return the same
 * request result), so the two documents cannot drift apart. Each document
 * lists them under `components.schemas` by these names.
 */

export const PEM_SCHEMA: Schema = { type: 'string', description: 'PEM text', pattern: '-----BEGIN [A-Z0-9 ]+-----' };
export const SERIAL_SCHEMA: Schema = { type: 'string', pattern: '^(?:[0-9a-f]{2})+$', description: 'lower-case hex, even number of digits' };

/** `CaName`, `DecidedBy` and `RequestResult` (which refers to the other two). */
export const REQUEST_RESULT_SCHEMAS: Record<'CaName' | 'DecidedBy' | 'RequestResult', Schema> = {
  CaName: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
  DecidedBy: {
    type: 'object',
    description: 'The policy rule that decided, and the field and value it looked at',
    required: ['rule'],
    properties: { rule: { type: 'string' }, field: { type: 'string' }, value: { type: 'string' } },
  },
  RequestResult: {
    type: 'object',
    description: 'A request and its disposition (with the certificate when issued)',
    required: ['ca', 'requestId', 'disposition', 'dispositionCode', 'message'],
    properties: {
      ca: ref('CaName'),
      requestId: { type: 'integer', minimum: 1 },
      disposition: { type: 'string', enum: DISPOSITIONS },
      dispositionCode: { type: 'integer', description: 'AD CS CR_DISP_* (3 issued, 5 pending, 2 denied, 1 error, 6 revoked)' },
      message: { type: 'string' },
      decidedBy: ref('DecidedBy'),
      certificate: PEM_SCHEMA,
      chain: { type: 'array', items: PEM_SCHEMA, maxItems: 8, description: 'The issuer first, up to the root' },
      serial: SERIAL_SCHEMA,
    },
  },
};
