import { ConfigError } from '@signet/config';
import { EXIT_EVENT_BIT } from '@signet/contracts';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadExitEnv, retiredVariableWarnings } from './env';
import { DEFAULT_DELIVERY } from './exit-config.schema';
import { loadExitConfig, parseExitConfig } from './exit-config';

const SECRET = 'x'.repeat(40);
const parse = (doc: unknown, env: NodeJS.ProcessEnv = { HOOK_KEY: SECRET }) => parseExitConfig(stringify(doc), 'yaml', 'test.yaml', 'signet', env);
const problems = (doc: unknown, env?: NodeJS.ProcessEnv): string[] => {
  try {
    parse(doc, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

const file = { name: 'files', type: 'file', events: ['certificate.issued'], directory: '/tmp/x' };
const hook = { name: 'hook', type: 'webhook', events: ['certificate.issued', 'request.denied'], url: 'https://h.example/x', secret: { env: 'HOOK_KEY' } };
const mail = { name: 'mail', type: 'mail', events: ['request.pending'], smtp: { host: 'smtp.example' }, from: 'ca@example.com', to: ['a@example.com'] };

describe('exit-service environment', () => {
  it('ok/defaults', () => {
    expect(loadExitEnv({})).toEqual({ SIGNET_CA_NAME: 'signet', SIGNET_EXIT_CONFIG: 'config/exit-modules.yaml', SIGNET_LOG_LEVEL: 'log', SIGNET_NATS_URL: 'nats://127.0.0.1:4222' });
  });
  it('ok/the CPU-priority variables of earlier versions are not read, and each still set is named with what to do instead', () => {
    const old = { SIGNET_EXIT_CPU_PRIORITY: 'idle', SIGNET_EXIT_IDLE_CGROUP: 'off' };
    expect(loadExitEnv(old)).toEqual(loadExitEnv({}));
    expect(retiredVariableWarnings(old)).toEqual([expect.stringMatching(/^SIGNET_EXIT_CPU_PRIORITY is no longer read; .*CPUWeight=idle/), expect.stringMatching(/^SIGNET_EXIT_IDLE_CGROUP is no longer read/)]);
    expect(retiredVariableWarnings({})).toEqual([]);
  });
  it('fail/an invalid CA name stops the process at start', () => {
    expect(() => loadExitEnv({ SIGNET_CA_NAME: 'Not Valid!' })).toThrow(ConfigError);
  });
});

describe('exit-module file', () => {
  it('ok/the shipped file loads with the file publisher only', () => {
    const c = loadExitConfig(join(__dirname, '..', '..', '..', '..', 'config', 'exit-modules.yaml'), 'signet', {});
    expect(c.modules.map((m) => m.name)).toEqual(['file-publisher']);
    expect(c.disabled).toEqual(['webhook', 'mail']);
    // Every certificate the CA's database holds is published: issued here, or imported.
    expect(c.modules[0].events).toEqual(['certificate.issued', 'certificate.imported']);
    // The file spells out the defaults for operators to edit; they are the service's own.
    expect(c.modules[0].delivery).toEqual(DEFAULT_DELIVERY);
  });

  it('ok/defaults merge under module settings; mask from the event list; secret read from the environment', () => {
    const c = parse({ defaults: { timeoutMs: 2000, retry: { attempts: 3 } }, modules: [{ ...hook, delivery: { concurrency: 2, retry: { initialDelayMs: 100 } } }, file, mail] });
    const [h, f, m] = c.modules;
    expect(h).toMatchObject({ name: 'hook', secret: SECRET, mask: EXIT_EVENT_BIT['certificate.issued'] | EXIT_EVENT_BIT['request.denied'] });
    expect(h.delivery).toEqual({ concurrency: 2, timeoutMs: 2000, start: 'new', batchWindowMs: 2000, retry: { attempts: 3, initialDelayMs: 100, multiplier: 2, maxDelayMs: 300_000, jitter: 0.2 } });
    expect(f).toMatchObject({ formats: ['pem', 'der'], removeOnRevoke: false, mask: 0x1 });
    expect(m).toMatchObject({ smtp: { host: 'smtp.example', port: 25, secure: false }, cc: [] });
  });

  it('ok/batch window: default, file-wide and per module (0 = deliver at once)', () => {
    const c = parse({ defaults: { batchWindowMs: 1500 }, modules: [{ ...file, delivery: { batchWindowMs: 0 } }, { ...mail }] });
    expect(c.modules.map((m) => m.delivery.batchWindowMs)).toEqual([0, 1500]);
    expect(parse({ modules: [file] }).modules[0].delivery.batchWindowMs).toBe(2000);
  });

  it('ok/a secret from NAME_FILE', () => {
    const secretFile = join(__dirname, '..', '..', '..', '..', 'package.json'); // any readable file of ≥ 32 characters
    const c = parse({ modules: [hook] }, { HOOK_KEY_FILE: secretFile });
    expect((c.modules[0] as { secret: string }).secret.length).toBeGreaterThan(32);
  });

  it('ok/disabled modules need no secret', () => {
    expect(parse({ modules: [{ ...hook, enabled: false }] }, {}).modules).toEqual([]);
  });

  it.each([
    ['unknown module type', { modules: [{ ...file, type: 'ftp' }] }, 'modules[0].type: must be one of "file", "webhook", "mail"'],
    ['unknown event', { modules: [{ ...file, events: ['certificate.exploded'] }] }, 'modules[0].events[0]: must be one of'],
    ['empty event list', { modules: [{ ...file, events: [] }] }, 'modules[0].events: must have at least 1 entries'],
    ['inline secret', { modules: [{ ...hook, secret: 'hunter2' }] }, 'modules[0].secret: must be an object'],
    ['secret not set', { modules: [hook] }, 'modules[0].secret.env: neither HOOK_KEY nor HOOK_KEY_FILE is set'],
    ['secret too short', { modules: [hook] }, 'modules[0].secret.env: HOOK_KEY must hold at least 32 characters'],
    ['missing url', { modules: [{ ...hook, url: undefined }] }, 'modules[0].url: is required'],
    ['ftp url', { modules: [{ ...hook, url: 'ftp://h.example/' }] }, 'modules[0].url: must be an http:// or https:// URL'],
    ['misspelt key', { modules: [{ ...file, directroy: '/x' }] }, 'modules[0]: unknown key "directroy"'],
    ['duplicate name', { modules: [file, { ...file }] }, 'modules[1].name: "files" is already used by modules[0]'],
    ['names colliding as consumers', { modules: [{ ...file, name: 'a.b' }, { ...file, name: 'a_b' }] }, 'map to the same consumer name'],
    ['file publisher on a pending event', { modules: [{ ...file, events: ['request.pending'] }] }, 'modules[0].events: a file publisher can only act on'],
    ['revoked without removeOnRevoke', { modules: [{ ...file, events: ['certificate.issued', 'certificate.revoked'] }] }, 'modules[0].removeOnRevoke'],
    ['retry delays upside down', { modules: [{ ...file, delivery: { retry: { initialDelayMs: 5000, maxDelayMs: 1000 } } }] }, 'modules[0].delivery.retry: initialDelayMs must be ≤ maxDelayMs'],
    ['negative batch window', { modules: [{ ...file, delivery: { batchWindowMs: -1 } }] }, 'modules[0].delivery.batchWindowMs: must be ≥ 0'],
    ['batch window over 10 s', { defaults: { batchWindowMs: 60_000 } }, 'defaults.batchWindowMs: must be ≤ 10000'],
    ['attempts out of range', { defaults: { retry: { attempts: 0 } }, modules: [] }, 'defaults.retry.attempts: must be ≥ 1'],
    ['unknown template placeholder', { modules: [{ ...mail, templates: { 'request.pending': { subject: 'x {{serail}}', body: 'b' } } }] }, 'modules[0].templates.request.pending.subject: unknown placeholder {{serail}}'],
    ['template for an event not handled', { modules: [{ ...mail, templates: { 'certificate.issued': { subject: 's', body: 'b' } } }] }, 'modules[0].templates.certificate.issued: the module does not handle this event'],
    ['smtp password without user', { modules: [{ ...mail, smtp: { host: 'h', password: { env: 'HOOK_KEY' } } }] }, 'modules[0].smtp.user: is required with smtp.password'],
    ['bad recipient', { modules: [{ ...mail, to: ['not an address'] }] }, 'modules[0].to[0]: must be an e-mail address'],
  ])('fail/%s names the field', (_n, doc, expected) => {
    const env = _n === 'secret not set' ? {} : _n === 'secret too short' ? { HOOK_KEY: 'short' } : undefined;
    expect(problems(doc, env).join('\n')).toContain(expected);
  });

  it('fail/never echoes a secret value', () => {
    const out = problems({ modules: [hook] }, { HOOK_KEY: 'short-but-secret' }).join('\n');
    expect(out).not.toContain('short-but-secret');
  });

  it('fail/a missing file names the path', () => {
    expect(() => loadExitConfig('/nonexistent/exit.yaml', 'signet', {})).toThrow(/exit-module file \/nonexistent\/exit.yaml: cannot read it \(ENOENT\)/);
  });

  it('fail/broken YAML', () => {
    expect(() => parseExitConfig('modules: [', 'yaml', 'x.yaml', 'signet', {})).toThrow(/not valid YAML/);
  });
});
