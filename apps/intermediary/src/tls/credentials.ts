import { ErrorCode, SignetError } from '@signet/contracts';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/**
 * What the HTTPS listener serves: a key and the certificate chain for it.
 * The key stays in this process's memory (ADR 0029); nothing here is ever
 * logged or answered.
 */
export interface TlsCredentials {
  /** PKCS#8 PEM. */
  key: string;
  /** The leaf, then its issuers, PEM. */
  cert: string;
  /** The issuing CA certificates, PEM: the names offered to TLS clients in the certificate request. */
  ca: string[];
  serial: string;
  notBefore: Date;
  notAfter: Date;
  source: 'self-issued' | 'files';
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Certificates in a PEM text, in order. */
export function pemCertificates(text: string): string[] {
  return (text.match(PEM_CERT) ?? []).map((p) => `${p}\n`);
}

/** Checks the leaf parses and belongs to the key; the dates and serial come from it. */
export function credentialsOf(keyPem: string, chainPems: string[], source: TlsCredentials['source'], issuers: string[]): TlsCredentials {
  if (chainPems.length === 0) throw new SignetError(ErrorCode.Internal, 'TLS: no certificate');
  const leaf = new X509Certificate(chainPems[0]);
  if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) throw new SignetError(ErrorCode.Internal, 'TLS: the certificate does not belong to the key');
  return {
    key: keyPem,
    cert: chainPems.join(''),
    ca: issuers,
    serial: leaf.serialNumber.toLowerCase(),
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    source,
  };
}

/** What identifies the files' current contents without reading them: inode, size and mtime of each (a missing file counts as a value too). */
export function filesStamp(files: { cert: string; key: string; chain?: string }): string {
  return [files.cert, files.key, files.chain]
    .map((p) => {
      if (!p) return '-';
      try {
        const st = statSync(p);
        return `${st.ino}:${st.size}:${st.mtimeMs}`;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code ?? 'error';
      }
    })
    .join('|');
}

/**
 * SIGNET_TLS_CERT_FILE (the leaf, optionally followed by its chain),
 * SIGNET_TLS_KEY_FILE (PEM, unencrypted) and SIGNET_TLS_CHAIN_FILE. Read at
 * start: a missing or mismatched file stops the process. `warn` is told
 * when the key file can be read by others than its owner.
 */
export function readCredentialFiles(files: { cert: string; key: string; chain?: string }, warn: (message: string) => void): TlsCredentials {
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new SignetError(ErrorCode.Internal, `${variable}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  };
  const certs = pemCertificates(read('SIGNET_TLS_CERT_FILE', files.cert));
  if (certs.length === 0) throw new SignetError(ErrorCode.Internal, `SIGNET_TLS_CERT_FILE: ${files.cert} holds no PEM certificate`);
  const chain = files.chain ? pemCertificates(read('SIGNET_TLS_CHAIN_FILE', files.chain)) : [];
  const key = read('SIGNET_TLS_KEY_FILE', files.key);
  if ((statSync(files.key).mode & 0o077) !== 0) warn(`SIGNET_TLS_KEY_FILE ${files.key} can be read by others than its owner (chmod 600 it)`);
  try {
    return credentialsOf(key, [...certs, ...chain], 'files', [...certs.slice(1), ...chain]);
  } catch (e) {
    throw new SignetError(ErrorCode.Internal, `SIGNET_TLS_CERT_FILE / SIGNET_TLS_KEY_FILE: ${(e as Error).message}`);
  }
}
