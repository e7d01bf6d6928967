import { type CaRecord } from '@signet/contracts';

/**
 * A CA's discovery record for unit specs (test-only): online with a policy
 * module unless told otherwise, not the default.
 */
export function caRecord(name: string, opts: { isDefault?: boolean; policy?: boolean } = {}): CaRecord {
  const policy = opts.policy ?? true;
  return {
    name,
    config: `host\\${name}`,
    commonName: name,
    sanitizedName: name,
    description: '',
    status: policy ? 'online' : 'no-policy',
    isDefault: opts.isDefault ?? false,
    certificate: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n',
    notAfter: '2030-01-01T00:00:00Z',
    policy: policy ? { name: 'p', version: '1' } : null,
  };
}
