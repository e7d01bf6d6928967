import { parseArgs } from 'node:util';
import { type OptionSpec, type Verb } from './command';
import { crlPublish, importCertificate, revoke, release, status } from './commands/certificates';
import { auditList, auditVerify, modules, tokenCreate, tokenRevoke } from './commands/ca';
import { tokenEnroll } from './commands/enrollment-token';
import { enrollmentSecretCreate, enrollmentSecretList, enrollmentSecretRevoke } from './commands/enrollment-secrets';
import { deadLetterDiscard, deadLetterList, deadLetterReplay, deadLetterReplayAll, exitModules } from './commands/exit';
import { cert } from './commands/cert';
import { caCert, retrieve, submit } from './commands/enroll';
import { deny, pending, resubmit, setAttributes, setExtension, view } from './commands/requests';
import { resolveConfig } from './config';
import { CliError, usage } from './errors';
import { ExitCode } from './exit-codes';
import { Http } from './http';
import { json, type Io } from './output';

export const VERBS: Verb[] = [cert, submit, retrieve, caCert, pending, view, resubmit, deny, setAttributes, setExtension, revoke, release, status, importCertificate, crlPublish, auditList, auditVerify, modules, exitModules, deadLetterList, deadLetterReplay, deadLetterReplayAll, deadLetterDiscard, tokenCreate, tokenRevoke, tokenEnroll, enrollmentSecretCreate, enrollmentSecretList, enrollmentSecretRevoke];

/** Options every verb takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', value: 'url', description: 'intermediary (enrollment) URL [SIGNET_URL]' },
  'admin-url': { type: 'string', value: 'url', description: 'admin-api URL [SIGNET_ADMIN_URL]' },
  token: { type: 'string', value: 'token', description: 'admin token [SIGNET_TOKEN]; prefer the env or --token-file (a flag shows in ps)' },
  'token-file': { type: 'string', value: 'file', description: 'read the admin token from a file [SIGNET_TOKEN_FILE]' },
  ca: { type: 'string', value: 'name', description: 'CA name for enrollment [SIGNET_CA]; default: the intermediary\'s default CA' },
  config: { type: 'string', value: 'file', description: 'config file [SIGNET_CONFIG] (default ~/.config/signet/config.json)' },
  timeout: { type: 'string', value: 'ms', description: 'HTTP timeout [SIGNET_TIMEOUT_MS] (default 30000)' },
  json: { type: 'boolean', description: 'machine-readable JSON on stdout' },
  help: { type: 'boolean', short: 'h', description: 'help for this verb' },
};

const GROUPS = new Set(VERBS.filter((v) => v.name.includes(' ')).map((v) => v.name.split(' ')[0]));
const VALUE_GLOBALS = new Set(Object.entries(GLOBAL_OPTIONS).filter(([, o]) => o.type === 'string').map(([k]) => `--${k}`));

export const EXIT_CODES_HELP = `Exit codes:
  0  ok (issued, done)           5  not found
  1  other error                 6  conflict: wrong state, already done by someone else
  2  usage or invalid input      7  not authenticated or not allowed (token, roles)
  3  denied or failed            8  unavailable: server or CA not answering (retry)
  4  pending                     9  audit verification failed
`;

/**
 * Finds the verb: the first one or two words that are not options or the
 * values of global options, so `signet --json status X` and
 * `signet status X --json` both work.
 */
export function splitVerb(argv: string[]): { verb?: Verb; name: string; rest: string[] } {
  const words: number[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (VALUE_GLOBALS.has(a)) i++;
      continue;
    }
    words.push(i);
    if (!GROUPS.has(a)) break;
  }
  const name = words.map((i) => argv[i]).join(' ');
  const verb = VERBS.find((v) => v.name === name);
  const rest = argv.filter((_, i) => !(verb ? words : []).includes(i));
  return { verb, name, rest };
}

function optionsHelp(options: Record<string, OptionSpec>): string {
  const lines = Object.entries(options).map(([k, o]) => [`${o.short ? `-${o.short}, ` : ''}--${k}${o.value ? ` <${o.value}>` : ''}`, o.description]);
  const w = Math.max(...lines.map(([l]) => l.length));
  return lines.map(([l, d]) => `  ${l.padEnd(w)}  ${d}`).join('\n');
}

export function verbHelp(v: Verb): string {
  const own = Object.keys(v.options).length ? `\nOptions:\n${optionsHelp(v.options)}\n` : '';
  return `Usage: signet ${v.name}${v.args ? ` ${v.args}` : ''} [options]\n\n${v.summary}.\n${v.help ? `\n${v.help}\n` : ''}${own}\nGlobal options:\n${optionsHelp(GLOBAL_OPTIONS)}\n\n${EXIT_CODES_HELP}`;
}

export function mainHelp(): string {
  const w = Math.max(...VERBS.map((v) => v.name.length));
  return `Usage: signet <verb> [arguments] [options]

Signet's command line: enrollment through the intermediary (SIGNET_URL) and
administration through admin-api (SIGNET_ADMIN_URL, SIGNET_TOKEN).

Verbs:
${VERBS.map((v) => `  ${v.name.padEnd(w)}  ${v.summary}`).join('\n')}

"signet <verb> --help" explains a verb.

Global options:
${optionsHelp(GLOBAL_OPTIONS)}

${EXIT_CODES_HELP}`;
}

/** node:util parseArgs refuses `undefined` for `short`/`multiple`: pass only what is set. */
function parseArgsOptions(options: Record<string, OptionSpec>) {
  return Object.fromEntries(
    Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) }]),
  );
}

/** One run of the CLI; answers the exit code. Never throws. */
export async function run(argv: string[], io: Io, fetchImpl: typeof fetch = fetch): Promise<number> {
  const wantsJson = argv.includes('--json');
  try {
    const { verb, name, rest } = splitVerb(argv);
    if (!verb) {
      if (argv.length === 0) {
        io.err(mainHelp());
        return ExitCode.Usage;
      }
      if (name === '' || name === 'help') {
        const wanted = rest.filter((a) => !a.startsWith('-') && a !== 'help').join(' ');
        const target = VERBS.find((v) => v.name === wanted);
        io.out(target ? verbHelp(target) : mainHelp());
        return ExitCode.Ok;
      }
      if (GROUPS.has(name)) {
        const subs = VERBS.filter((v) => v.name.startsWith(`${name} `)).map((v) => v.name.slice(name.length + 1));
        throw usage(`"${name}" needs one of: ${subs.join(', ')}`);
      }
      throw usage(`unknown verb "${name}"; "signet --help" lists them`);
    }
    const options = { ...GLOBAL_OPTIONS, ...verb.options };
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: rest, options: parseArgsOptions(options), allowPositionals: true, strict: true });
    } catch (e) {
      throw usage(`${(e as Error).message.replace(/\. To specify .*$/s, '')}; "signet ${verb.name} --help" shows the options`);
    }
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (values.help) {
      io.out(verbHelp(verb));
      return ExitCode.Ok;
    }
    if (parsed.positionals.length < verb.positionals.min || parsed.positionals.length > verb.positionals.max) {
      throw usage(`usage: signet ${verb.name}${verb.args ? ` ${verb.args}` : ''} [options]; "signet ${verb.name} --help" explains`);
    }
    const config = resolveConfig(values as Record<string, string>, io.env, (p) => io.readFile(p).toString('utf8'));
    for (const w of config.warnings) io.err(`signet: warning: ${w}\n`);
    return await verb.run({ values, positionals: parsed.positionals, config, http: new Http(config, fetchImpl), io, json: values.json === true });
  } catch (e) {
    const err = e instanceof CliError ? e : new CliError(ExitCode.Error, (e as NodeJS.ErrnoException)?.code === 'ENOENT' ? `no such file: ${(e as NodeJS.ErrnoException).path}` : `${(e as Error)?.message ?? String(e)}`);
    if (wantsJson) io.err(json({ error: { exitCode: err.exitCode, message: err.message, ...(err.body ?? {}) } }));
    else io.err(`signet: ${err.message}\n`);
    return err.exitCode;
  }
}
