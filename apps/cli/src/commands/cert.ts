import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { str, whole, type Context, type Verb } from '../command';
import { CliError, usage } from '../errors';
import { ExitCode } from '../exit-codes';
import { json, keyValues } from '../output';
import { KEY_TYPES, defaultTemplate, fileStem, parseNames, subjectFor, type CertName, type KeyType } from './cert-names';
import { type RequestAnswer, isOutcome, secretHeaders } from './enroll';

/** How often a pending request is asked about again. */
const POLL_MS = 5_000;
const DEFAULT_WAIT_SECONDS = 300;

type X509 = typeof import('@signet/x509');

/** The files `signet cert` writes into --out. */
interface CertFiles {
  key: string;
  /** The request's retrieval secret, kept only while the request is pending. */
  retrievalSecret: string;
  certificate: string;
  chain: string;
  fullchain: string;
  caCertificate: string;
}

function filesIn(dir: string, stem: string): CertFiles {
  return {
    key: join(dir, `${stem}.key`),
    retrievalSecret: join(dir, `${stem}.secret`),
    certificate: join(dir, `${stem}.crt`),
    chain: join(dir, 'chain.pem'),
    fullchain: join(dir, 'fullchain.pem'),
    caCertificate: join(dir, 'ca.crt'),
  };
}

export const cert: Verb = {
  name: 'cert',
  summary: 'Make a key here, request a TLS certificate for the names, write key, certificate and chain',
  args: '<name> [<name> ...]',
  positionals: { min: 1, max: 100 },
  options: {
    out: { type: 'string', value: 'dir', description: 'directory for <name>.key, <name>.crt, chain.pem, fullchain.pem, ca.crt (made if missing)' },
    template: { type: 'string', value: 'name', description: 'certificate template (default: Development when every name is localhost or a loopback address, else WebServer)' },
    'key-type': { type: 'string', value: 'type', description: `${Object.keys(KEY_TYPES).join(', ')} (default ecdsa-p256)` },
    wait: { type: 'string', value: 'seconds', description: `how long to wait for a pending request to be approved (default ${DEFAULT_WAIT_SECONDS}; 0: do not wait)` },
  },
  help: `Names are DNS names or IP addresses, e.g. "signet cert localhost 127.0.0.1 ::1 --out .signet/dev".
The private key is made on this machine (mode 0600) and never sent or printed:
only a certificate request signed with it goes to the intermediary. The file
names come from the first name (<name>.key, <name>.crt). Exit 0 issued,
3 denied or failed, 4 still pending after --wait (the key and the request's
retrieval secret, <name>.secret, are kept, both mode 0600; fetch the certificate
later with "signet retrieve <id> --secret-file <dir>/<name>.secret --out <dir>/<name>.crt").`,
  async run(ctx) {
    const dir = str(ctx.values, 'out');
    if (!dir) throw usage('signet cert needs --out <dir>: where the key and the certificate go');
    const keyType = (str(ctx.values, 'key-type') ?? 'ecdsa-p256') as KeyType;
    if (!(keyType in KEY_TYPES)) throw usage(`--key-type: one of ${Object.keys(KEY_TYPES).join(', ')}`);
    const waitSeconds = Number(whole(ctx.values, 'wait', 0, 86_400) ?? DEFAULT_WAIT_SECONDS);
    // Loaded here, not at start: no other verb needs the ASN.1 library.
    const x509: X509 = await import('@signet/x509');
    const names = parseNames(ctx.positionals, x509.dnsNameProblem);
    const template = str(ctx.values, 'template') ?? defaultTemplate(names);
    const files = filesIn(dir, fileStem(names));

    const { privateKey } = newKey(keyType);
    const csr = x509.toPem(await x509.createCsr({ subject: subjectFor(names), sans: names, privateKey }), 'CERTIFICATE REQUEST');
    const body = { csr, attributes: { CertificateTemplate: template }, ...(ctx.config.ca ? { ca: ctx.config.ca } : {}) };
    let answer = (await ctx.http.intermediary<RequestAnswer>('/api/v1/requests', { method: 'POST', body, accept: isOutcome })).body;
    // Polling reads the request with it from memory; only a request left pending needs it on disk.
    const secret = answer.retrievalSecret;

    let keyWritten = false;
    if (answer.disposition === 'pending' || answer.disposition === 'in_process') {
      // Kept now, so neither --wait running out nor Ctrl-C loses the key, or the secret that fetches its certificate, of a request that may still be approved.
      ctx.io.makeDir(dir);
      ctx.io.writeFile(files.key, privateKeyPem(privateKey), 0o600);
      if (secret) ctx.io.writeFile(files.retrievalSecret, `${secret}\n`, 0o600);
      keyWritten = true;
      if (!ctx.json) ctx.io.err(`signet: request ${answer.requestId} at CA ${answer.ca} is pending (${answer.message}); key written to ${files.key}\n`);
      answer = await waitWhilePending(ctx, answer, waitSeconds, secret);
      if (answer.disposition === 'pending' || answer.disposition === 'in_process') return stillPending(ctx, answer, files, waitSeconds);
      // Decided: the secret on disk has done its work.
      ctx.io.removeFile(files.retrievalSecret);
    }
    if (answer.disposition !== 'issued' || !answer.certificate) {
      // The key made for a request that was not issued is of no use; one from an earlier run stays.
      if (keyWritten) ctx.io.removeFile(files.key);
      return notIssued(ctx, answer);
    }

    const leaf = x509.decodeCertificateText(answer.certificate);
    if (!x509.splitCertificate(leaf).spki.equals(spkiOf(privateKey))) {
      throw new CliError(ExitCode.Error, `the certificate of request ${answer.requestId} is not for the key made here; nothing written`);
    }
    const chain = answer.chain?.length ? answer.chain : await caChain(ctx, answer.ca);
    const pem = (b: string) => (b.endsWith('\n') ? b : `${b}\n`);
    ctx.io.makeDir(dir);
    ctx.io.writeFile(files.key, privateKeyPem(privateKey), 0o600);
    ctx.io.writeFile(files.certificate, pem(answer.certificate));
    ctx.io.writeFile(files.chain, chain.map(pem).join(''));
    ctx.io.writeFile(files.fullchain, [answer.certificate, ...chain].map(pem).join(''));
    ctx.io.writeFile(files.caCertificate, pem(chain[chain.length - 1]));
    const summary = x509.parseCertificate(leaf);

    if (ctx.json) {
      const { retrievalSecret: _notKept, ...written } = files;
      ctx.io.out(json({ ca: answer.ca, requestId: answer.requestId, disposition: answer.disposition, template, names, serial: answer.serial, notAfter: summary.notAfter.toISOString(), files: written }));
      return ExitCode.Ok;
    }
    ctx.io.out(keyValues([
      ['Request ID', answer.requestId],
      ['CA', answer.ca],
      ['Template', template],
      ['Names', names.map((n) => n.value).join(', ')],
      ['Serial', answer.serial],
      ['Not after', summary.notAfter.toISOString()],
      ['Key', `${files.key} (${KEY_TYPES[keyType].label}, made here, mode 0600)`],
      ['Certificate', files.certificate],
      ['Chain', `${files.chain} (the CA's chain)`],
      ['Full chain', `${files.fullchain} (certificate and chain, for servers that want one file)`],
      ['CA certificate', files.caCertificate],
    ]));
    ctx.io.out(trustHelp(files.caCertificate, answer.ca, names));
    return ExitCode.Ok;
  },
};

function newKey(type: KeyType): { privateKey: KeyObject } {
  const k = KEY_TYPES[type];
  return k.type === 'ec' ? generateKeyPairSync('ec', { namedCurve: k.namedCurve }) : generateKeyPairSync('rsa', { modulusLength: k.modulusLength });
}

function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function spkiOf(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** Asks again every POLL_MS, with the request's retrieval secret, until it is decided or `seconds` have passed. */
async function waitWhilePending(ctx: Context, first: RequestAnswer, seconds: number, secret: string | undefined): Promise<RequestAnswer> {
  let answer = first;
  const polls = Math.ceil((seconds * 1000) / POLL_MS);
  if (polls > 0 && !ctx.json) ctx.io.err(`signet: waiting up to ${seconds} s for a certificate manager to approve it (Ctrl-C stops waiting; the key stays)\n`);
  for (let i = 0; i < polls && (answer.disposition === 'pending' || answer.disposition === 'in_process'); i++) {
    await ctx.io.sleep(POLL_MS);
    const query = new URLSearchParams({ ca: answer.ca });
    answer = (await ctx.http.intermediary<RequestAnswer>(`/api/v1/requests/${answer.requestId}`, { query, headers: secretHeaders(secret) })).body;
  }
  return answer;
}

function stillPending(ctx: Context, answer: RequestAnswer, files: CertFiles, seconds: number): ExitCode {
  const later = `signet retrieve ${answer.requestId} --ca ${answer.ca} --secret-file ${files.retrievalSecret} --out ${files.certificate}`;
  const kept = { key: files.key, retrievalSecret: files.retrievalSecret };
  if (ctx.json) ctx.io.out(json({ ca: answer.ca, requestId: answer.requestId, disposition: answer.disposition, message: answer.message, files: kept }));
  else ctx.io.out(keyValues([
    ['Request ID', answer.requestId],
    ['Disposition', `${answer.disposition} (still, after ${seconds} s)`],
    ['Message', answer.message],
    ['Key', files.key],
    ['Retrieval secret', `${files.retrievalSecret} (mode 0600)`],
    ['Once approved', later],
  ]));
  return ExitCode.Pending;
}

/** Denied or failed (or revoked while it waited): the outcome, as `signet submit` shows it. */
function notIssued(ctx: Context, answer: RequestAnswer): ExitCode {
  const rule = answer.decidedBy ? [answer.decidedBy.rule, answer.decidedBy.field, answer.decidedBy.value].filter(Boolean).join(' / ') : undefined;
  if (ctx.json) {
    const { code: _c, ...rest } = answer as RequestAnswer & { code?: string };
    ctx.io.out(json(rest));
  } else {
    ctx.io.out(keyValues([
      ['Request ID', answer.requestId],
      ['Disposition', answer.disposition],
      ['Message', answer.message],
      ['Decided by', rule],
    ]));
  }
  return answer.disposition === 'denied' || answer.disposition === 'failed' ? ExitCode.Denied : ExitCode.Error;
}

async function caChain(ctx: Context, ca: string): Promise<string[]> {
  const res = await ctx.http.intermediary<{ certificate: string; chain?: string[] }>(`/api/v1/cas/${encodeURIComponent(ca)}/certificate`, {
    query: new URLSearchParams({ chain: 'true' }),
  });
  return res.body.chain?.length ? res.body.chain : [res.body.certificate];
}

/** How to make programs on this machine trust the CA that issued it. */
export function trustHelp(caFile: string, ca: string, names: readonly CertName[]): string {
  const host = names.find((n) => n.type === 'dns')?.value ?? (names[0].value.includes(':') ? `[${names[0].value}]` : names[0].value);
  return `
To trust CA ${ca} on a machine that connects to this one (once per machine):
  Debian, Ubuntu:  sudo cp ${caFile} /usr/local/share/ca-certificates/signet-${ca}.crt && sudo update-ca-certificates
  Fedora, RHEL:    sudo cp ${caFile} /etc/pki/ca-trust/source/anchors/signet-${ca}.crt && sudo update-ca-trust
  macOS:           sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${caFile}
Or for one program only:
  curl --cacert ${caFile} https://${host}:8443/
  NODE_EXTRA_CA_CERTS=${caFile} node server.js
Firefox keeps its own list: Settings, Certificates, Authorities, Import.
`;
}
