import { RETRIEVAL_SECRET_HEADER } from '@signet/contracts';
import { flag, list, str, type Context, type Verb } from '../command';
import { CliError, usage } from '../errors';
import { ExitCode, exitCodeForDisposition } from '../exit-codes';
import { json, keyValues } from '../output';

/** What the intermediary answers for submit and retrieve (also in the error shape when denied or failed). */
export interface RequestAnswer {
  ca: string;
  requestId: number;
  disposition: string;
  dispositionCode: number;
  message: string;
  decidedBy?: { rule: string; field?: string; value?: string };
  certificate?: string;
  chain?: string[];
  serial?: string;
  /** Submit only: what reads the request back, shown this once. */
  retrievalSecret?: string;
}

/** The header that lets the request's owner read it back, when there is a secret. */
export const secretHeaders = (secret: string | undefined): Record<string, string> => (secret ? { [RETRIEVAL_SECRET_HEADER]: secret } : {});

/** Denied (400) and failed (500) submits are outcomes with a request id, not transport errors. */
export const isOutcome = (_status: number, body: unknown) => {
  const code = (body as { code?: unknown } | null | undefined)?.code;
  return code === 'REQUEST_DENIED' || code === 'REQUEST_FAILED';
};

/** A CSR file as the intermediary takes it: PEM text as is, DER as base64. */
export function csrText(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN')) return text;
  if (bytes.length === 0) throw usage('the CSR file is empty');
  return bytes.toString('base64');
}

/** `name:value` pairs from the command line, split at the first colon. */
export function parsePairs(pairs: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf(':');
    if (i <= 0) throw usage(`${what} "${p}" is not name:value`);
    out[p.slice(0, i).trim()] = p.slice(i + 1).trim();
  }
  return out;
}

/**
 * Prints a request outcome and answers the exit code its disposition maps
 * to. A retrieval secret goes to `secretFile` (mode 0600) when given, else
 * it is shown: it is the only way to read the request back.
 */
function showRequest(ctx: Context, r: RequestAnswer, out?: string, secretFile?: string): ExitCode {
  if (out && r.certificate) ctx.io.writeFile(out, [r.certificate, ...(flag(ctx.values, 'chain') ? (r.chain ?? []) : [])].join(''));
  const { retrievalSecret, ...result } = r;
  if (retrievalSecret && secretFile) ctx.io.writeFile(secretFile, `${retrievalSecret}\n`, 0o600);
  if (ctx.json) {
    const { code: _c, ...rest } = result as RequestAnswer & { code?: string };
    const secret = retrievalSecret ? (secretFile ? { retrievalSecretFile: secretFile } : { retrievalSecret }) : {};
    ctx.io.out(json({ ...rest, ...secret }));
  } else {
    const rule = r.decidedBy ? [r.decidedBy.rule, r.decidedBy.field, r.decidedBy.value].filter(Boolean).join(' / ') : undefined;
    ctx.io.out(keyValues([
      ['Request ID', r.requestId],
      ['Disposition', r.disposition],
      ['Message', r.message],
      ['Decided by', rule],
      ['Serial', r.serial],
      ['Certificate', out && r.certificate ? `written to ${out}` : undefined],
      ['Retrieval secret', retrievalSecret ? (secretFile ? `written to ${secretFile} (mode 0600)` : retrievalSecret) : undefined],
    ]));
    if (!out && r.certificate) ctx.io.out(r.certificate);
  }
  return exitCodeForDisposition(r.disposition);
}

const caQuery = (ctx: Context) => (ctx.config.ca ? new URLSearchParams({ ca: ctx.config.ca }) : undefined);

export const submit: Verb = {
  name: 'submit',
  summary: 'Submit a PKCS#10 request (certreq -submit)',
  args: '<csr-file>',
  positionals: { min: 1, max: 1 },
  options: {
    template: { type: 'string', value: 'name', description: 'certificate template (attribute CertificateTemplate)' },
    attr: { type: 'string', multiple: true, value: 'name:value', description: 'request attribute; repeatable' },
    'idempotency-key': { type: 'string', value: 'key', description: 'a retry with the same key returns the first result (and a new retrieval secret)' },
    out: { type: 'string', value: 'file', description: 'write the certificate (PEM) here instead of stdout' },
    chain: { type: 'boolean', description: 'with --out: append the CA chain' },
    'secret-file': { type: 'string', value: 'file', description: 'write the retrieval secret here (mode 0600) instead of showing it' },
  },
  help: `The CSR may be PEM or DER ("-" reads stdin). Exit 0 issued, 4 pending, 3 denied or failed.
The answer carries the request's retrieval secret, shown this once (the CA keeps only its
hash): "signet retrieve <id> --secret-file <file>" reads the request back with it.`,
  async run(ctx) {
    const attributes = parsePairs(list(ctx.values, 'attr'), 'attribute');
    const template = str(ctx.values, 'template');
    if (template) attributes.CertificateTemplate = template;
    const key = str(ctx.values, 'idempotency-key');
    const body = {
      csr: csrText(ctx.io.readFile(ctx.positionals[0])),
      ...(Object.keys(attributes).length ? { attributes } : {}),
      ...(ctx.config.ca ? { ca: ctx.config.ca } : {}),
      ...(key ? { idempotencyKey: key } : {}),
    };
    const res = await ctx.http.intermediary<RequestAnswer>('/api/v1/requests', { method: 'POST', body, accept: isOutcome });
    return showRequest(ctx, res.body, str(ctx.values, 'out'), str(ctx.values, 'secret-file'));
  },
};

export const retrieve: Verb = {
  name: 'retrieve',
  summary: 'Status of a request, with its certificate once issued (certreq -retrieve)',
  args: '<request-id>',
  positionals: { min: 1, max: 1 },
  options: {
    'secret-file': { type: 'string', value: 'file', description: 'the file holding the request\'s retrieval secret (or SIGNET_RETRIEVAL_SECRET)' },
    out: { type: 'string', value: 'file', description: 'write the certificate (PEM) here instead of stdout' },
    chain: { type: 'boolean', description: 'with --out: append the CA chain' },
  },
  help: `Only the request's submitter reads it back: with the retrieval secret its submit answered,
from --secret-file or SIGNET_RETRIEVAL_SECRET (never a flag's value: others see those in the
process list). Without it, or with a wrong one, the CA answers as for an id that does not exist.
Exit 0 issued (or revoked), 4 pending, 3 denied or failed, 5 not found.`,
  async run(ctx) {
    const id = requestId(ctx.positionals[0]);
    const secret = retrievalSecret(ctx);
    const res = await ctx.http.intermediary<RequestAnswer>(`/api/v1/requests/${id}`, { query: caQuery(ctx), headers: secretHeaders(secret) }).catch((e: unknown) => {
      if (!secret && e instanceof CliError && e.exitCode === ExitCode.NotFound) {
        throw new CliError(e.exitCode, `${e.message}; a request is read back with its retrieval secret: --secret-file or SIGNET_RETRIEVAL_SECRET`, e.body);
      }
      throw e;
    });
    return showRequest(ctx, res.body, str(ctx.values, 'out'));
  },
};

/** The retrieval secret from --secret-file, else SIGNET_RETRIEVAL_SECRET; none is fine (the CA answers not found). */
function retrievalSecret(ctx: Context): string | undefined {
  const file = str(ctx.values, 'secret-file');
  if (file) {
    let text: string;
    try {
      text = ctx.io.readFile(file).toString('utf8').trim();
    } catch (e) {
      throw usage(`cannot read the retrieval secret file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (!text) throw usage(`the retrieval secret file ${file} is empty`);
    return text;
  }
  return ctx.io.env.SIGNET_RETRIEVAL_SECRET || undefined;
}

export const caCert: Verb = {
  name: 'ca-cert',
  summary: 'The CA certificate, optionally with its chain (certutil -ca.cert)',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {
    chain: { type: 'boolean', description: 'include the chain up to the root' },
    out: { type: 'string', value: 'file', description: 'write the PEM here instead of stdout' },
  },
  async run(ctx) {
    const ca = ctx.config.ca ?? (await ctx.http.intermediary<{ ca: { name: string } }>('/api/v1/cas/default')).body.ca.name;
    const chain = flag(ctx.values, 'chain');
    const res = await ctx.http.intermediary<{ ca: string; certificate: string; chain?: string[] }>(`/api/v1/cas/${encodeURIComponent(ca)}/certificate`, {
      query: new URLSearchParams({ chain: String(chain) }),
    });
    const pem = chain && res.body.chain ? res.body.chain.join('') : res.body.certificate;
    const out = str(ctx.values, 'out');
    if (out) ctx.io.writeFile(out, pem);
    if (ctx.json) ctx.io.out(json(res.body));
    else if (out) ctx.io.out(`CA ${res.body.ca}: written to ${out}\n`);
    else ctx.io.out(pem);
    return ExitCode.Ok;
  },
};

export function requestId(raw: string): number {
  // certreq accepts 0x-hex ids too.
  const n = /^0x[0-9a-f]+$/i.test(raw) ? Number.parseInt(raw.slice(2), 16) : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw usage(`"${raw}" is not a request id`);
  return n;
}
