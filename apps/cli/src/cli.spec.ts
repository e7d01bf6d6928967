import { REVOCATION_REASONS, ROLES, VIEW_COLUMNS } from '@signet/contracts';
import { run, splitVerb, VERBS } from './cli';
import { revoke } from './commands/certificates';
import { csrText, parsePairs, requestId } from './commands/enroll';
import { certificateText, serialArg } from './commands/certificates';
import { tokenCreate } from './commands/ca';
import { view } from './commands/requests';
import { memoryIo } from './testing/memory-io';

const io = (env?: NodeJS.ProcessEnv) => memoryIo({}, env);

describe('splitVerb', () => {
  it.each([
    ['ok/verb first', ['status', '0a', '--json'], 'status', ['0a', '--json']],
    ['ok/global option with a value before the verb', ['--admin-url', 'http://x', 'status', '0a'], 'status', ['--admin-url', 'http://x', '0a']],
    ['ok/two-word verb', ['audit', 'verify', '--json'], 'audit verify', ['--json']],
    ['ok/option between the words of a two-word verb', ['token', '--json', 'create', '--name', 'n'], 'token create', ['--json', '--name', 'n']],
  ])('%s', (_n, argv, name, rest) => {
    const s = splitVerb(argv);
    expect({ name: s.verb?.name, rest: s.rest }).toEqual({ name, rest });
  });
});

describe('run: usage errors exit 2 before any HTTP call', () => {
  const noFetch = (() => {
    throw new Error('no HTTP expected');
  }) as unknown as typeof fetch;

  it('no arguments: the overview on stderr', async () => {
    const s = io();
    expect(await run([], s.sink, noFetch)).toBe(2);
    expect(s.err.join('')).toContain('Usage: signet <verb>');
  });

  it.each([
    ['an unknown verb', ['frobnicate']],
    ['a group without its verb', ['audit']],
    ['an unknown option', ['status', '0a0b', '--colour']],
    ['a missing option value', ['revoke', '0a0b', '--reason']],
    ['a missing positional', ['resubmit']],
    ['too many positionals', ['resubmit', '1', '2']],
    ['a bad request id', ['resubmit', 'abc']],
    ['a bad serial', ['status', 'xyz']],
    ['an odd serial', ['status', 'abc']],
    ['set-extension without a value', ['set-extension', '1', '1.2.3']],
    ['set-extension with two values', ['set-extension', '1', '1.2.3', '--der', 'AA==', '--long', '1']],
    ['token create without roles', ['token', 'create', '--name', 'x']],
    ['dead-letter list with a limit out of range', ['dead-letter', 'list', '--limit', '0']],
    ['dead-letter replay without an id', ['dead-letter', 'replay']],
    ['import without a file', ['import']],
    ['token create with an unknown role', ['token', 'create', '--name', 'x', '--roles', 'root']],
    ['token revoke without a name', ['token', 'revoke']],
    ['view with a bad format', ['view', '--format', 'xml']],
    ['view --all with --limit', ['view', '--all', '--limit', '5']],
    ['set-attributes without a colon', ['set-attributes', '1', 'novalue']],
    ['a bad URL', ['status', '0a0b', '--admin-url', 'ftp://x']],
  ])('%s', async (_n, argv) => {
    const s = io({ HOME: '/nonexistent', SIGNET_TOKEN: 't' });
    expect(await run(argv, s.sink, noFetch)).toBe(2);
    expect(s.err.join('')).toMatch(/^signet: /);
  });

  it('submit of a missing file exits 1 naming the file', async () => {
    const s = io();
    expect(await run(['submit', '/no/such.csr'], s.sink, noFetch)).toBe(1);
    expect(s.err.join('')).toContain('/no/such.csr');
  });

  it('an admin verb without a token exits 7', async () => {
    const s = io();
    expect(await run(['pending'], s.sink, noFetch)).toBe(7);
    expect(s.err.join('')).toContain('SIGNET_TOKEN');
  });

  it('--json errors are JSON on stderr, stdout stays empty', async () => {
    const s = io();
    expect(await run(['pending', '--json'], s.sink, noFetch)).toBe(7);
    expect(s.out).toEqual([]);
    expect(JSON.parse(s.err.join(''))).toMatchObject({ error: { exitCode: 7 } });
  });

  it.each(VERBS.map((v) => [v.name]))('--help on "%s" exits 0 with usage and exit codes', async (name) => {
    const s = io();
    expect(await run([...name.split(' '), '--help'], s.sink, noFetch)).toBe(0);
    const text = s.out.join('');
    expect(text).toContain(`Usage: signet ${name}`);
    expect(text).toContain('Exit codes:');
  });

  it('help <verb> works too', async () => {
    const s = io();
    expect(await run(['help', 'audit', 'verify'], s.sink, noFetch)).toBe(0);
    expect(s.out.join('')).toContain('Usage: signet audit verify');
  });
});

describe('argument helpers', () => {
  it.each([
    ['ok/decimal', '42', 42],
    ['ok/certreq 0x hex', '0x2a', 42],
  ])('requestId %s', (_n, raw, id) => expect(requestId(raw)).toBe(id));
  it.each(['0', '-1', 'x', '1.5'])('fail/requestId %p', (raw) => expect(() => requestId(raw)).toThrow(expect.objectContaining({ exitCode: 2 })));

  it.each([
    ['ok/openssl output', 'serial=0A1B2C', '0a1b2c'],
    ['ok/colons', '0a:1b', '0a1b'],
  ])('serialArg %s', (_n, raw, s) => expect(serialArg(raw)).toBe(s));

  it('ok/pairs split at the first colon', () => expect(parsePairs(['san:dns=a.example.com', 'x: y:z'], 'attribute')).toEqual({ san: 'dns=a.example.com', x: 'y:z' }));
  it('ok/csrText keeps PEM and base64-encodes DER', () => {
    expect(csrText(Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAA==\n'))).toContain('BEGIN');
    expect(csrText(Buffer.from([0x30, 0x82, 0x01]))).toBe('MIIB');
  });

  it('ok/certificateText keeps PEM and wraps DER as PEM in 64-character lines', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(certificateText(Buffer.from(pem))).toBe(pem);
    const der = Buffer.alloc(100, 0xab);
    const wrapped = certificateText(der);
    const lines = wrapped.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.slice(1, -1).map((l) => l.length)).toEqual([64, 64, 8]);
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(Buffer.from(lines.slice(1, -1).join(''), 'base64')).toEqual(der);
  });

  it('fail/certificateText of an empty file is a usage error', () => {
    expect(() => certificateText(Buffer.alloc(0))).toThrow(/empty/);
  });
});

describe('the CLI names what the contracts define (roles and view columns come from them)', () => {
  it('ok/every revocation reason name is documented in --reason', () => {
    for (const [name, code] of Object.entries(REVOCATION_REASONS)) {
      if (code === 8) continue;
      expect(revoke.options.reason.description).toContain(name);
    }
  });
  it('ok/roles', () => expect(tokenCreate.options.roles.description).toBe(`comma-separated: ${ROLES.join(', ')}`));
  it('ok/view columns', () => {
    for (const c of VIEW_COLUMNS) expect(view.help).toContain(c);
  });
});
