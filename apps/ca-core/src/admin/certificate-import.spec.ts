import { ErrorCode } from '@signet/contracts';
import { ScratchDir } from '@signet/testing';
import { fromPem, toPem } from '@signet/x509';
import { openssl } from '../testing/openssl';
import { checkImport } from './certificate-import';

/*
 * ImportCertificate's checks against CAs and certificates OpenSSL made, as
 * an operator moving an OpenSSL-run CA to Signet would bring them.
 */

const w = new ScratchDir();
afterAll(() => w.remove());

/** A self-signed P-256 CA; returns its certificate DER. */
function makeCa(name: string, subject: string): Buffer {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', w.path(`${name}.key`), '-out', w.path(`${name}.pem`), '-subj', subject, '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return fromPem(w.read(`${name}.pem`), 'CERTIFICATE');
}

/** A leaf signed by CA `ca` with openssl x509 -req; returns its PEM. */
function makeLeaf(ca: string, name: string, opts: { serial?: string; days?: string } = {}): string {
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', w.path(`${name}.key`), '-out', w.path(`${name}.csr`), '-subj', `/CN=${name}.example.test`]);
  w.write(`${name}.ext`, `subjectAltName=DNS:${name}.example.test\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', w.path(`${name}.csr`), '-CA', w.path(`${ca}.pem`), '-CAkey', w.path(`${ca}.key`), '-set_serial', opts.serial ?? '0x1f2e3d4c5b6a7988', '-days', opts.days ?? '10',
    '-extfile', w.path(`${name}.ext`), '-out', w.path(`${name}.pem`)]);
  return w.read(`${name}.pem`);
}

const ca = makeCa('ca', '/O=Example/CN=Example Issuing CA');
makeCa('other', '/O=Example/CN=Another CA');
// The same name with another key: only the signature tells them apart.
makeCa('impostor', '/O=Example/CN=Example Issuing CA');

const rejected = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e) => e,
  );

describe('ImportCertificate checks (checkImport)', () => {
  it('ok/a certificate the CA signed: its serial, subject and dates come back with the exact DER', async () => {
    const pem = makeLeaf('ca', 'www', { serial: '0x00a1b2c3d4e5f60718' });
    const r = await checkImport(pem, { certificateDer: ca });
    expect(r.der).toEqual(fromPem(pem, 'CERTIFICATE'));
    // The 00 that keeps the INTEGER positive is not part of the serial's hex.
    expect(r.summary.serialHex).toBe('a1b2c3d4e5f60718');
    expect(r.summary.subject).toEqual([{ type: 'CN', value: 'www.example.test' }]);
  });

  it('ok/an expired certificate is still the CA\'s history', async () => {
    const pem = makeLeaf('ca', 'old', { days: '-1' });
    const r = await checkImport(pem, { certificateDer: ca });
    expect(r.summary.notAfter.getTime()).toBeLessThan(Date.now());
  });

  it('ok/bare base64 of the DER', async () => {
    const der = fromPem(makeLeaf('ca', 'b64'), 'CERTIFICATE');
    expect((await checkImport(der.toString('base64'), { certificateDer: ca })).der).toEqual(der);
  });

  it.each([
    ['fail/issued by another CA', () => makeLeaf('other', 'foreign'), ErrorCode.ForeignCertificate, /issued by "O=Example, ?CN=Another CA", not by this CA/],
    ['fail/the same issuer name, another key', () => makeLeaf('impostor', 'forged'), ErrorCode.ForeignCertificate, /signature was not made by this CA's key/],
    ['fail/the CA\'s own certificate', () => toPem(ca, 'CERTIFICATE'), ErrorCode.ForeignCertificate, /a certificate of the CA itself/],
    ['fail/a certificate request', () => (makeLeaf('ca', 'req'), w.read('req.csr')), ErrorCode.MalformedCertificate, /"CERTIFICATE REQUEST" is not a certificate/],
    ['fail/DER that is no certificate', () => toPem(Buffer.from('3003020101', 'hex'), 'CERTIFICATE'), ErrorCode.MalformedCertificate, /not an X\.509 certificate/],
    ['fail/a chain of two', () => makeLeaf('ca', 'chain') + toPem(ca, 'CERTIFICATE'), ErrorCode.MalformedCertificate, /exactly one PEM block, found 2/],
  ])('%s', async (_n, text, code, message) => {
    expect(await rejected(checkImport(text(), { certificateDer: ca }))).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('fail/a serial longer than 20 octets', async () => {
    const pem = makeLeaf('ca', 'long', { serial: `0x${'7f'.repeat(21)}` });
    expect(await rejected(checkImport(pem, { certificateDer: ca }))).toMatchObject({ code: ErrorCode.MalformedCertificate, message: expect.stringMatching(/21 octets/) });
  });
});
