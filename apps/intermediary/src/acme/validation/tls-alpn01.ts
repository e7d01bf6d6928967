import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { ipToBytes, readAcmeValidationCertificate, type AcmeValidationCertificate } from '@signet/x509';
import type { ValidationResult } from './challenge-validator';
import { candidateAddresses, firstAnswering, socketFailure } from './connect';
import { reverseName, urlHost, type CheckedIdentifier } from './names';
import { fail, quote } from './outcome';
import type { ValidationContext } from './context';

/** RFC 8737 6.2: the ALPN protocol of the validation handshake. */
export const ACME_TLS_ALPN = 'acme-tls/1';

/**
 * tls-alpn-01, RFC 8737 3 (RFC 8738 6 for IP identifiers): a TLS handshake
 * with the identifier's address on the configured port, SNI = the name (the
 * reverse-mapping name for an IP), offering only "acme-tls/1", which the
 * server must select. Its certificate (self-signed; neither chain nor
 * signature is checked) must name exactly the identifier in its one
 * subjectAltName and carry the critical acmeIdentifier extension with
 * SHA-256 of the key authorization.
 */
export async function validateTlsAlpn01(id: CheckedIdentifier, keyAuthorization: string, ctx: ValidationContext): Promise<ValidationResult> {
  if (id.wildcard) throw fail('malformed', 'a wildcard identifier can only be proved with dns-01 (RFC 8555 7.1.3)');
  const servername = id.type === 'ip' ? reverseName(id.value) : id.value;
  const addresses = await candidateAddresses(id.value, ctx.dns, ctx.policy);
  const { address, der } = await firstAnswering(addresses, (a) => handshake(a, servername, ctx).then((d) => ({ address: a, der: d })));
  const where = `${urlHost(address)}:${ctx.config.tlsAlpn01Port}`;
  let cert: AcmeValidationCertificate;
  try {
    cert = readAcmeValidationCertificate(der);
  } catch (e) {
    throw fail('incorrectResponse', `${where}: the certificate cannot be read: ${quote((e as Error).message, 160)}`);
  }
  checkCertificate(cert, id, keyAuthorization, where);
  return { ok: true, addressUsed: address };
}

function checkCertificate(cert: AcmeValidationCertificate, id: CheckedIdentifier, keyAuthorization: string, where: string): void {
  const names = cert.sans.map((s) => `${s.type}:${s.value}`);
  const listed = names.length ? names.slice(0, 4).map((n) => quote(n, 80)).join(', ') + (names.length > 4 ? ` and ${names.length - 4} more` : '') : 'none';
  const [san] = cert.sans;
  const matches =
    cert.sans.length === 1 &&
    san.type === id.type &&
    (id.type === 'dns' ? san.value.toLowerCase() === id.value : ipToBytes(san.value).equals(ipToBytes(id.value)));
  if (!matches) throw fail('incorrectResponse', `${where}: the certificate must have exactly one subjectAltName, ${id.type}:${id.value}; it has ${listed}`);
  const ext = cert.acmeIdentifier;
  if (!ext) throw fail('incorrectResponse', `${where}: the certificate has no acmeIdentifier extension (1.3.6.1.5.5.7.1.31)`);
  if (!ext.critical) throw fail('incorrectResponse', `${where}: the acmeIdentifier extension is not marked critical`);
  const expected = createHash('sha256').update(keyAuthorization, 'utf8').digest();
  if (!timingSafeEqual(ext.digest, expected)) {
    throw fail('incorrectResponse', `${where}: the acmeIdentifier extension holds ${ext.digest.toString('hex')}, not SHA-256 of the key authorization (${expected.toString('hex')})`);
  }
}

/** The handshake; resolves with the server's certificate (DER) once "acme-tls/1" was negotiated. */
function handshake(address: string, servername: string, ctx: ValidationContext): Promise<Buffer> {
  const port = ctx.config.tlsAlpn01Port;
  const what = `TLS to ${urlHost(address)}:${port} (SNI ${servername})`;
  const left = ctx.deadline.check('connection', what);
  return new Promise<Buffer>((resolve, reject) => {
    const socket = tls.connect({
      host: address,
      port,
      servername: isIP(servername) ? undefined : servername,
      ALPNProtocols: [ACME_TLS_ALPN],
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), left);
    const done = (f: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      f();
    };
    socket.once('secureConnect', () => {
      const alpn = socket.alpnProtocol;
      if (alpn !== ACME_TLS_ALPN) {
        const got = alpn ? quote(alpn, 40) : 'none';
        done(() => reject(fail('tls', `${what}: the server did not negotiate ALPN "${ACME_TLS_ALPN}" (selected: ${got})`)));
        return;
      }
      const der = socket.getPeerCertificate(false)?.raw;
      done(() => (der ? resolve(Buffer.from(der)) : reject(fail('tls', `${what}: the server presented no certificate`))));
    });
    socket.once('error', (e) => done(() => reject(socketFailure(e, what, ctx.deadline.totalMs))));
  });
}
