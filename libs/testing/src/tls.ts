import { type X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';

/** The certificate a TLS listener on 127.0.0.1:`port` serves now, as a fresh client sees it (not verified). */
export function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const c = s.getPeerX509Certificate();
      s.end();
      if (c) resolve(c);
      else reject(new Error('no certificate served'));
    });
    s.once('error', reject);
  });
}
