import { flag, str, type Context, type Verb } from '../command';
import { usage } from '../errors';
import { ExitCode } from '../exit-codes';
import { json, keyValues } from '../output';

interface Status {
  serial: string;
  status: 'valid' | 'revoked' | 'unknown';
  caDisposition: number;
  requestId?: number;
  reason?: number;
  reasonName?: string;
  revokedAt?: string;
  effectiveAt?: string;
  invalidityDate?: string;
  notAfter?: string;
}

/** A serial as openssl prints it (`0A1B`, `0a:1b`) in the form admin-api routes take. */
export function serialArg(raw: string): string {
  const hex = raw.replace(/^serial=/i, '').replace(/[:\s]/g, '').toLowerCase();
  if (!/^([0-9a-f]{2})+$/.test(hex)) throw usage(`"${raw}" is not a serial (an even number of hex digits)`);
  return hex;
}

function showStatus(ctx: Context, s: Status): ExitCode {
  if (ctx.json) ctx.io.out(json(s));
  else {
    ctx.io.out(keyValues([
      ['Serial', s.serial],
      ['Status', s.status],
      ['Request ID', s.requestId],
      ['Reason', s.reason !== undefined ? `${s.reason}${s.reasonName ? ` (${s.reasonName})` : ''}` : undefined],
      ['Revoked at', s.revokedAt],
      ['Effective', s.effectiveAt],
      ['Invalidity date', s.invalidityDate],
      ['Not after', s.notAfter],
    ]));
  }
  return s.status === 'unknown' ? ExitCode.NotFound : ExitCode.Ok;
}

export const revoke: Verb = {
  name: 'revoke',
  summary: 'Revoke a certificate; again to change the reason or dates (certutil -revoke)',
  args: '<serial>',
  positionals: { min: 1, max: 1 },
  options: {
    reason: { type: 'string', value: 'R', description: 'RFC 5280 reason, number or name: unspecified (default), keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, privilegeWithdrawn, aACompromise' },
    'effective-at': { type: 'string', value: 'time', description: 'when the revocation takes effect (ISO 8601; default now)' },
    'invalidity-date': { type: 'string', value: 'time', description: 'when the key was known or suspected compromised' },
  },
  help: 'Exit 5 unknown serial, 6 the certificate cannot be revoked.',
  async run(ctx) {
    const reason = str(ctx.values, 'reason');
    const effectiveAt = str(ctx.values, 'effective-at');
    const invalidityDate = str(ctx.values, 'invalidity-date');
    const body = {
      ...(reason !== undefined ? { reason: /^\d+$/.test(reason) ? Number(reason) : reason } : {}),
      ...(effectiveAt ? { effectiveAt } : {}),
      ...(invalidityDate ? { invalidityDate } : {}),
    };
    return showStatus(ctx, (await ctx.http.admin<Status>(`/api/v1/certificates/${serialArg(ctx.positionals[0])}/revoke`, { method: 'POST', body })).body);
  },
};

export const release: Verb = {
  name: 'release',
  summary: 'Release a certificate from hold (certutil -revoke <serial> -1)',
  args: '<serial>',
  positionals: { min: 1, max: 1 },
  options: {},
  help: 'Only a certificateHold revocation can be released: anything else exits 6.',
  async run(ctx) {
    return showStatus(ctx, (await ctx.http.admin<Status>(`/api/v1/certificates/${serialArg(ctx.positionals[0])}/release`, { method: 'POST' })).body);
  },
};

export const status: Verb = {
  name: 'status',
  summary: 'Is a certificate issued and not revoked? (certutil -isvalid)',
  args: '<serial>',
  positionals: { min: 1, max: 1 },
  options: {},
  help: 'Exit 0 for a valid or revoked certificate (see Status), 5 for a serial the CA does not know.',
  async run(ctx) {
    return showStatus(ctx, (await ctx.http.admin<Status>(`/api/v1/certificates/${serialArg(ctx.positionals[0])}/status`)).body);
  },
};

/** A certificate file as admin-api takes it: PEM text as is, DER turned into PEM. */
export function certificateText(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN')) return text;
  if (bytes.length === 0) throw usage('the certificate file is empty');
  const b64 = bytes.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

export const importCertificate: Verb = {
  name: 'import',
  summary: 'Record a certificate this CA issued that its database lacks (certutil -importcert)',
  args: '<certificate file>',
  positionals: { min: 1, max: 1 },
  options: {},
  help:
    'For a certificate the CA\'s key signed before its database knew of it (restored from an older backup, or issued before the CA moved to Signet). ' +
    'PEM or DER, one certificate. Needs the officer role. Exit 2 when it is not one certificate or this CA did not issue it, 6 when its serial is in the database already.',
  async run(ctx) {
    const certificate = certificateText(ctx.io.readFile(ctx.positionals[0]));
    const d = (
      await ctx.http.admin<{ requestId: number; subject: string; message: string; certificate?: { serial: string; notBefore: string; notAfter: string } }>('/api/v1/certificates/import', {
        method: 'POST',
        body: { certificate },
      })
    ).body;
    if (ctx.json) ctx.io.out(json(d));
    else {
      ctx.io.out(keyValues([
        ['Request ID', d.requestId],
        ['Serial', d.certificate?.serial],
        ['Subject', d.subject],
        ['Not before', d.certificate?.notBefore],
        ['Not after', d.certificate?.notAfter],
        ['Message', d.message],
      ]));
    }
    return ExitCode.Ok;
  },
};

export const crlPublish: Verb = {
  name: 'crl publish',
  summary: 'Issue a base CRL now, or a delta CRL with --delta (certutil -CRL)',
  args: '',
  positionals: { min: 0, max: 0 },
  options: { delta: { type: 'boolean', description: 'a delta CRL on the current base instead of a new base' } },
  help: 'Needs the ca-admin role. Prints the CRL number, its validity and how many entries it lists.',
  async run(ctx) {
    const body = (
      await ctx.http.admin<{ crlNumber: number; delta: boolean; baseCrlNumber: number | null; thisUpdate: string; nextUpdate: string; entries: number }>('/api/v1/crls/publish', {
        method: 'POST',
        body: { delta: flag(ctx.values, 'delta') },
      })
    ).body;
    if (ctx.json) ctx.io.out(json(body));
    else {
      ctx.io.out(keyValues([
        ['CRL number', body.crlNumber],
        ['Kind', body.delta ? `delta (base ${body.baseCrlNumber})` : 'base'],
        ['This update', body.thisUpdate],
        ['Next update', body.nextUpdate],
        ['Entries', body.entries],
      ]));
    }
    return ExitCode.Ok;
  },
};
