import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from './wait';

/**
 * A pebble-challtestsrv of the test's own (Debian package `pebble`), used as
 * the DNS server for ACME tests: it answers every A query with 127.0.0.1 (and
 * AAAA with nothing, unless `defaultIPv6` is given), and serves the TXT, A
 * and CNAME records a test sets through its management API. Its own
 * http-01 and tls-alpn-01 responders are off unless asked for (an
 * independent implementation to check a validator against); the ACME
 * clients run their own.
 */
export interface ChallTestSrv {
  /** `127.0.0.1:<port>`: the DNS server (UDP and TCP), as SIGNET_ACME_DNS_RESOLVERS takes it. */
  readonly dns: string;
  readonly dnsPort: number;
  /** Base URL of the management API. */
  readonly managementUrl: string;
  /** Adds a TXT value at `host` (a trailing dot is added when missing); several values may coexist. */
  setTxt(host: string, value: string): Promise<void>;
  /** Removes every TXT value at `host`. */
  clearTxt(host: string): Promise<void>;
  /** Answers A/AAAA queries for `host` with these addresses instead of the default. */
  addA(host: string, addresses: string[]): Promise<void>;
  addAAAA(host: string, addresses: string[]): Promise<void>;
  /** Makes `host` a CNAME to `target`. */
  setCname(host: string, target: string): Promise<void>;
  /** With `http01`: the port of its http-01 responder. */
  readonly http01Port?: number;
  /** With `tlsAlpn01`: the port of its tls-alpn-01 responder. */
  readonly tlsAlpn01Port?: number;
  /** Serves `content` at /.well-known/acme-challenge/<token> (any Host). */
  addHttp01(token: string, content: string): Promise<void>;
  delHttp01(token: string): Promise<void>;
  /** Presents an RFC 8737 certificate for `host` with SHA-256(`keyAuthorization`). */
  addTlsAlpn01(host: string, keyAuthorization: string): Promise<void>;
  delTlsAlpn01(host: string): Promise<void>;
  stop(): Promise<void>;
}

export interface ChallTestSrvOptions {
  /** Answer for A queries without a record of their own (default 127.0.0.1). */
  defaultIPv4?: string;
  /** Answer for AAAA queries without a record of their own (default: none). */
  defaultIPv6?: string;
  /** Run its http-01 responder (on a port of its own). */
  http01?: boolean;
  /** Run its tls-alpn-01 responder (on a port of its own). */
  tlsAlpn01?: boolean;
  timeoutMs?: number;
}

/** SIGNET_CHALLTESTSRV_BIN, else pebble-challtestsrv on PATH. */
export function challTestSrvBin(): string {
  return process.env.SIGNET_CHALLTESTSRV_BIN || 'pebble-challtestsrv';
}

const fqdn = (host: string) => (host.endsWith('.') ? host : `${host}.`);

export async function startChallTestSrv(opts: ChallTestSrvOptions = {}): Promise<ChallTestSrv> {
  const bin = challTestSrvBin();
  const dnsPort = await freePort();
  const managementPort = await freePort();
  const http01Port = opts.http01 ? await freePort() : undefined;
  const tlsAlpn01Port = opts.tlsAlpn01 ? await freePort() : undefined;
  const args = [
    '-dns01', `127.0.0.1:${dnsPort}`,
    '-management', `127.0.0.1:${managementPort}`,
    '-defaultIPv4', opts.defaultIPv4 ?? '127.0.0.1',
    '-defaultIPv6', opts.defaultIPv6 ?? '',
    '-http01', http01Port ? `127.0.0.1:${http01Port}` : '',
    '-https01', '',
    '-tlsalpn01', tlsAlpn01Port ? `127.0.0.1:${tlsAlpn01Port}` : '',
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  let exited: string | undefined;
  child.once('error', (e) => (exited = `cannot start ${bin} (Debian package pebble): ${e.message}`));
  child.once('exit', (code) => (exited ??= `pebble-challtestsrv exited (${code}):\n${log}`));
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${managementUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`pebble-challtestsrv ${path}: HTTP ${res.status} ${await res.text()}`);
  };
  try {
    await waitFor(
      'pebble-challtestsrv',
      async () => {
        if (exited) throw Object.assign(new Error(exited), { fatal: true });
        // The management API answers only once the DNS server is listening too (both start in one go).
        return /Starting management server/.test(log) && (await fetch(`${managementUrl}/`).then(() => true));
      },
      opts.timeoutMs ?? 10_000,
      50,
    );
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}${exited ? '' : `\n${log}`}`, { cause: e });
  }
  return {
    dns: `127.0.0.1:${dnsPort}`,
    dnsPort,
    managementUrl,
    setTxt: (host, value) => post('/set-txt', { host: fqdn(host), value }),
    clearTxt: (host) => post('/clear-txt', { host: fqdn(host) }),
    addA: (host, addresses) => post('/add-a', { host: fqdn(host), addresses }),
    addAAAA: (host, addresses) => post('/add-aaaa', { host: fqdn(host), addresses }),
    setCname: (host, target) => post('/set-cname', { host: fqdn(host), target: fqdn(target) }),
    http01Port,
    tlsAlpn01Port,
    addHttp01: (token, content) => post('/add-http01', { token, content }),
    delHttp01: (token) => post('/del-http01', { token }),
    addTlsAlpn01: (host, keyAuthorization) => post('/add-tlsalpn01', { host, content: keyAuthorization }),
    delTlsAlpn01: (host) => post('/del-tlsalpn01', { host }),
    stop: () => stop(child),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
