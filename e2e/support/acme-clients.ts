import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

/*
 * Debian 12's ACME clients, run unmodified as an operator would (see
 * ../shared/notes/clients.md): lego 4.9, certbot 2.1 and dehydrated 0.7.
 * Each runs in a directory of its own with every state and config path
 * inside it, trusts only the CA bundle it is given, and answers challenges
 * where the CA's validator looks: http-01 and tls-alpn-01 on the ports the
 * validator connects to, dns-01 through pebble-challtestsrv's management
 * API (the validator's resolver).
 */

export type AcmeChallenge = 'http-01' | 'dns-01' | 'tls-alpn-01';

export interface AcmeClientSetup {
  /** The directory URL, exactly as the client must reach it (the JWS `url` is compared with it). */
  directoryUrl: string;
  /** PEM file the client trusts for the directory's HTTPS (none for plain http). */
  caBundle?: string;
  /** Where the validator connects for http-01 and tls-alpn-01. */
  httpPort: number;
  tlsPort: number;
  /** pebble-challtestsrv's DNS listener (host:port) and management base URL. */
  dnsResolver: string;
  dnsManagementUrl: string;
  /** External Account Binding, when the CA requires it. */
  eab?: { kid: string; hmacKey: string };
  /** Per-client scratch directory (created). */
  dir: string;
  email?: string;
}

export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The issued certificate (leaf first, then the chain the CA sent) and its key, when the run made one. */
  certificate?: string;
  key?: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr: signal ? `${stderr}\n(killed by ${signal} after ${timeoutMs} ms)` : stderr });
    });
  });
}

/** A shell script that sets (`present`) or clears (`cleanup`) the TXT record `_acme-challenge.<domain>.` at challtestsrv. */
function dnsHookScript(setup: AcmeClientSetup, path: string, body: string): string {
  const script = `#!/bin/sh
# Publishes dns-01 answers at pebble-challtestsrv (the CA validator's resolver in tests).
MGMT='${setup.dnsManagementUrl}'
set_txt() { curl -fsS -X POST -d "{\\"host\\":\\"$1\\",\\"value\\":\\"$2\\"}" "$MGMT/set-txt" >/dev/null; }
clear_txt() { curl -fsS -X POST -d "{\\"host\\":\\"$1\\"}" "$MGMT/clear-txt" >/dev/null; }
${body}
`;
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}

const fqdn = (domain: string) => `_acme-challenge.${domain.replace(/^\*\./, '')}.`;

// ---------------------------------------------------------------------------
// lego 4.9

export interface LegoOptions {
  domains: string[];
  challenge: AcmeChallenge;
  keyType?: 'ec256' | 'ec384' | 'rsa2048';
}

function legoBase(setup: AcmeClientSetup, dir: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const args = ['--server', setup.directoryUrl, '--email', setup.email ?? 'ops@example.com', '--accept-tos', '--path', join(dir, 'state')];
  if (setup.eab) args.push('--eab', '--kid', setup.eab.kid, '--hmac', setup.eab.hmacKey);
  return { args, env: setup.caBundle ? { LEGO_CA_CERTIFICATES: setup.caBundle } : {} };
}

function legoChallengeArgs(setup: AcmeClientSetup, dir: string, challenge: AcmeChallenge): { args: string[]; env: NodeJS.ProcessEnv } {
  switch (challenge) {
    case 'http-01':
      return { args: ['--http', '--http.port', `:${setup.httpPort}`], env: {} };
    case 'tls-alpn-01':
      return { args: ['--tls', '--tls.port', `:${setup.tlsPort}`], env: {} };
    case 'dns-01': {
      // lego's exec provider: `<script> present|cleanup <fqdn> <value>`.
      const hook = dnsHookScript(setup, join(dir, 'dns-hook.sh'), `case "$1" in present) set_txt "$2" "$3";; cleanup) clear_txt "$2";; esac`);
      return { args: ['--dns', 'exec', '--dns.resolvers', setup.dnsResolver, '--dns.disable-cp'], env: { EXEC_PATH: hook, EXEC_POLLING_INTERVAL: '1', EXEC_PROPAGATION_TIMEOUT: '30', EXEC_SEQUENCE_INTERVAL: '1' } };
    }
  }
}

function legoCertificate(dir: string, domain: string): { certificate?: string; key?: string } {
  const base = join(dir, 'state', 'certificates', domain.replace(/^\*/, '_'));
  return existsSync(`${base}.crt`) ? { certificate: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') } : {};
}

export async function lego(setup: AcmeClientSetup, o: LegoOptions, command: 'run' | 'renew' = 'run', extra: string[] = []): Promise<ClientRun> {
  mkdirSync(setup.dir, { recursive: true });
  const base = legoBase(setup, setup.dir);
  const ch = legoChallengeArgs(setup, setup.dir, o.challenge);
  const args = [...base.args, ...ch.args, '--key-type', o.keyType ?? 'ec256', ...o.domains.flatMap((d) => ['--domains', d]), command, ...extra];
  const r = await run('lego', args, { ...base.env, ...ch.env }, setup.dir);
  return { ...r, ...legoCertificate(setup.dir, o.domains[0]) };
}

/** `lego revoke` of the certificate it holds for the first domain, signed by the account key. */
export async function legoRevoke(setup: AcmeClientSetup, domains: string[], reason: number): Promise<ClientRun> {
  const base = legoBase(setup, setup.dir);
  return run('lego', [...base.args, ...domains.flatMap((d) => ['--domains', d]), 'revoke', '--reason', String(reason)], base.env, setup.dir);
}

// ---------------------------------------------------------------------------
// certbot 2.1

export interface CertbotOptions {
  domains: string[];
  challenge: 'http-01' | 'dns-01';
  certName?: string;
}

function certbotPaths(dir: string): string[] {
  return ['--config-dir', join(dir, 'config'), '--work-dir', join(dir, 'work'), '--logs-dir', join(dir, 'logs')];
}

function certbotEnv(setup: AcmeClientSetup): NodeJS.ProcessEnv {
  return setup.caBundle ? { REQUESTS_CA_BUNDLE: setup.caBundle } : {};
}

/** `certbot certonly` with its account, paths and EAB (when set up), in non-interactive mode. */
function certbotCertonly(setup: AcmeClientSetup): string[] {
  const args = ['certonly', '--non-interactive', '--agree-tos', '-m', setup.email ?? 'ops@example.com', '--server', setup.directoryUrl, ...certbotPaths(setup.dir)];
  if (setup.eab) args.push('--eab-kid', setup.eab.kid, '--eab-hmac-key', setup.eab.hmacKey);
  return args;
}

/** certbot's standalone http-01 listener on the validator's port. */
const certbotStandalone = (setup: AcmeClientSetup) => ['--standalone', '--preferred-challenges', 'http-01', '--http-01-port', String(setup.httpPort)];

export async function certbot(setup: AcmeClientSetup, o: CertbotOptions, extra: string[] = []): Promise<ClientRun> {
  mkdirSync(setup.dir, { recursive: true });
  const name = o.certName ?? o.domains[0].replace(/^\*\./, 'wildcard.');
  const args = [...certbotCertonly(setup), '--cert-name', name];
  if (o.challenge === 'http-01') {
    args.push(...certbotStandalone(setup));
  } else {
    // certbot's manual hooks get CERTBOT_DOMAIN and CERTBOT_VALIDATION.
    const auth = dnsHookScript(setup, join(setup.dir, 'dns-auth.sh'), 'set_txt "_acme-challenge.${CERTBOT_DOMAIN#\\*.}." "$CERTBOT_VALIDATION"');
    const cleanup = dnsHookScript(setup, join(setup.dir, 'dns-cleanup.sh'), 'clear_txt "_acme-challenge.${CERTBOT_DOMAIN#\\*.}."');
    args.push('--manual', '--preferred-challenges', 'dns-01', '--manual-auth-hook', auth, '--manual-cleanup-hook', cleanup);
  }
  args.push(...o.domains.flatMap((d) => ['-d', d]), ...extra);
  const r = await run('certbot', args, certbotEnv(setup), setup.dir);
  const live = join(setup.dir, 'config', 'live', name);
  return { ...r, ...(existsSync(join(live, 'fullchain.pem')) ? { certificate: readFileSync(join(live, 'fullchain.pem'), 'utf8'), key: readFileSync(join(live, 'privkey.pem'), 'utf8') } : {}) };
}

/**
 * `certbot certonly --csr`: certbot orders the DNS names it reads from the
 * CSR (http-01, standalone) and finalizes with the CSR as it is; the
 * certificate goes to <dir>/csr-fullchain.pem.
 */
export async function certbotWithCsr(setup: AcmeClientSetup, csrPath: string): Promise<ClientRun> {
  mkdirSync(setup.dir, { recursive: true });
  const [cert, chain, fullchain] = ['csr-cert.pem', 'csr-chain.pem', 'csr-fullchain.pem'].map((f) => join(setup.dir, f));
  const args = [...certbotCertonly(setup), ...certbotStandalone(setup), '--csr', csrPath, '--cert-path', cert, '--chain-path', chain, '--fullchain-path', fullchain];
  const r = await run('certbot', args, certbotEnv(setup), setup.dir);
  return { ...r, ...(existsSync(fullchain) ? { certificate: readFileSync(fullchain, 'utf8') } : {}) };
}

/** certbot's debug log of its runs (it always writes one, at debug level, in --logs-dir). */
export function certbotLog(setup: AcmeClientSetup): string {
  const log = join(setup.dir, 'logs', 'letsencrypt.log');
  return existsSync(log) ? readFileSync(log, 'utf8') : '';
}

export async function certbotRevoke(setup: AcmeClientSetup, certName: string, reason: 'unspecified' | 'keycompromise' | 'affiliationchanged' | 'superseded' | 'cessationofoperation'): Promise<ClientRun> {
  const cert = join(setup.dir, 'config', 'live', certName, 'cert.pem');
  return run('certbot', ['revoke', '--non-interactive', '--server', setup.directoryUrl, ...certbotPaths(setup.dir), '--cert-path', cert, '--reason', reason, '--no-delete-after-revoke'], certbotEnv(setup), setup.dir);
}

// ---------------------------------------------------------------------------
// dehydrated 0.7

export interface DehydratedOptions {
  domains: string[];
  challenge: 'http-01' | 'dns-01';
}

/**
 * dehydrated writes http-01 answers into WELLKNOWN and leaves serving them
 * to a web server: `serveWellKnown` is that server, on the validator's port.
 */
function dehydratedConfig(setup: AcmeClientSetup, challenge: AcmeChallenge): string {
  const dir = setup.dir;
  mkdirSync(join(dir, 'well-known'), { recursive: true });
  // The hook is called for every challenge type (deploy_challenge <domain> <token file> <value>); only dns-01 publishes.
  const hook = dnsHookScript(
    setup,
    join(dir, 'hook.sh'),
    challenge === 'dns-01' ? `case "$1" in deploy_challenge) set_txt "_acme-challenge.$2." "$4";; clean_challenge) clear_txt "_acme-challenge.$2.";; esac` : 'exit 0',
  );
  const lines = [
    `CA="${setup.directoryUrl}"`,
    `BASEDIR="${dir}"`,
    `WELLKNOWN="${join(dir, 'well-known')}"`,
    `CHALLENGETYPE="${challenge}"`,
    `HOOK="${hook}"`,
    `CONTACT_EMAIL="${setup.email ?? 'ops@example.com'}"`,
    `KEY_ALGO="prime256v1"`,
    `LOCKFILE="${join(dir, 'lock')}"`,
    ...(setup.caBundle ? [`CURL_OPTS="--cacert ${setup.caBundle}"`] : []),
    ...(setup.eab ? [`EAB_KID="${setup.eab.kid}"`, `EAB_HMAC_KEY="${setup.eab.hmacKey}"`] : []),
  ];
  const path = join(dir, 'config');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** dehydrated's config sets CURL_OPTS (the CA bundle); nothing from the environment. */
function dehydratedEnv(_setup: AcmeClientSetup): NodeJS.ProcessEnv {
  return {};
}

/** Serves dehydrated's WELLKNOWN directory at /.well-known/acme-challenge/ on the validator's http-01 port. */
export function serveWellKnown(setup: AcmeClientSetup): Promise<Server> {
  const root = join(setup.dir, 'well-known');
  mkdirSync(root, { recursive: true });
  const server = createServer((req, res) => {
    const m = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
    const file = m && join(root, m[1]);
    if (!file || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(setup.httpPort, '127.0.0.1', () => resolve(server));
  });
}

/** `dehydrated --register` once per directory; undefined when registered, else the failed run. */
async function dehydratedRegistered(setup: AcmeClientSetup, config: string, env: NodeJS.ProcessEnv): Promise<ClientRun | undefined> {
  if (existsSync(join(setup.dir, 'accounts'))) return undefined;
  const reg = await run('dehydrated', ['--register', '--accept-terms', '-f', config], env, setup.dir);
  return reg.code === 0 ? undefined : reg;
}

export async function dehydrated(setup: AcmeClientSetup, o: DehydratedOptions, extra: string[] = []): Promise<ClientRun> {
  mkdirSync(setup.dir, { recursive: true });
  const config = dehydratedConfig(setup, o.challenge);
  const env = dehydratedEnv(setup);
  const failed = await dehydratedRegistered(setup, config, env);
  if (failed) return failed;
  const r = await run('dehydrated', ['-c', '-f', config, ...o.domains.flatMap((d) => ['-d', d]), ...extra], env, setup.dir);
  const certDir = join(setup.dir, 'certs', o.domains[0]);
  return { ...r, ...(existsSync(join(certDir, 'fullchain.pem')) ? { certificate: readFileSync(join(certDir, 'fullchain.pem'), 'utf8'), key: readFileSync(join(certDir, 'privkey.pem'), 'utf8') } : {}) };
}

/**
 * `dehydrated --signcsr` (http-01, WELLKNOWN served by `serveWellKnown`):
 * it orders the CSR's DNS subjectAltNames (its subject CN only when it has
 * none) and prints the certificate on stdout.
 */
export async function dehydratedSignCsr(setup: AcmeClientSetup, csrPath: string): Promise<ClientRun> {
  mkdirSync(setup.dir, { recursive: true });
  const config = dehydratedConfig(setup, 'http-01');
  const env = dehydratedEnv(setup);
  const failed = await dehydratedRegistered(setup, config, env);
  if (failed) return failed;
  const r = await run('dehydrated', ['--signcsr', csrPath, '-f', config], env, setup.dir);
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout)?.[0];
  return { ...r, ...(certificate ? { certificate } : {}) };
}

export async function dehydratedRevoke(setup: AcmeClientSetup, domain: string): Promise<ClientRun> {
  const config = dehydratedConfig(setup, 'http-01');
  return run('dehydrated', ['--revoke', join(setup.dir, 'certs', domain, 'cert.pem'), '-f', config], dehydratedEnv(setup), setup.dir);
}

/** The archive of a client's earlier certificates (for renewal checks): every `cert-*.pem` dehydrated kept for `domain`. */
export function dehydratedHistory(setup: AcmeClientSetup, domain: string): string[] {
  const d = join(setup.dir, 'certs', domain);
  return existsSync(d) ? readdirSync(d).filter((f) => /^cert-\d+\.pem$/.test(f)) : [];
}

export { fqdn as dnsChallengeName };
