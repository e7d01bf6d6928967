import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateNames } from './certificate-names';
import { opensslCert } from './test-tools';

describe('certificateNames (the identifiers in a certificate, RFC 8555 7.6)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'signet-cert-names-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each<[string, string, string[], { type: string; value: string }[]]>([
    ['ok/DNS and IP names, the CN among them once, DNS in lower case', '/CN=WWW.Example.com', ['subjectAltName=DNS:www.example.com,DNS:*.Example.com,IP:2001:DB8:0:0:0:0:0:1'], [{ type: 'dns', value: 'www.example.com' }, { type: 'dns', value: '*.example.com' }, { type: 'ip', value: '2001:db8::1' }]],
    ['ok/a CN that is not among the SANs counts too', '/CN=other.example.com', ['subjectAltName=DNS:www.example.com'], [{ type: 'dns', value: 'www.example.com' }, { type: 'dns', value: 'other.example.com' }]],
    ['ok/an IP address as CN, no SANs', '/CN=192.0.2.1', [], [{ type: 'ip', value: '192.0.2.1' }]],
  ])('%s', (_n, subject, exts, names) => {
    expect(certificateNames(opensslCert(dir, exts, subject))).toEqual(names);
  });

  it('fail/a name no authorisation covers (an email address): undefined', () => {
    expect(certificateNames(opensslCert(dir, ['subjectAltName=DNS:www.example.com,email:ops@example.com'], '/CN=www.example.com'))).toBeUndefined();
  });
});
