import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, envBoolean, envInt, loadEnv, NatsEnvSchema, readSecret } from './env';
import { LogLevelEnvSchema, logLevelsUpTo } from './log';

describe('loadEnv', () => {
  const schema = NatsEnvSchema.extend({ PORT: envInt(8080, 1, 65535), FLAG: envBoolean(false) });

  it('ok/defaults', () => {
    expect(loadEnv(schema, {})).toEqual({ SIGNET_NATS_URL: 'nats://127.0.0.1:4222', PORT: 8080, FLAG: false });
  });
  it('ok/values', () => {
    expect(loadEnv(schema, { PORT: '9000', FLAG: 'yes', SIGNET_NATS_URL: 'nats://nats:4222' })).toMatchObject({ PORT: 9000, FLAG: true });
  });
  it.each([
    ['port not a number', { PORT: 'abc' }, 'PORT'],
    ['port out of range', { PORT: '70000' }, 'PORT'],
    ['flag not boolean', { FLAG: 'maybe' }, 'FLAG'],
    ['bad nats url', { SIGNET_NATS_URL: 'http://x' }, 'SIGNET_NATS_URL'],
  ])('fail/%s names the variable', (_n, env, name) => {
    expect(() => loadEnv(schema, env)).toThrow(ConfigError);
    try {
      loadEnv(schema, env);
    } catch (e) {
      expect((e as ConfigError).problems.join()).toContain(name);
    }
  });
  it('never echoes the value of a bad variable', () => {
    const s = z.object({ SECRET: z.string().min(100) });
    expect(() => loadEnv(s, { SECRET: 'hunter2-very-secret' })).toThrow(/SECRET/);
    expect(() => loadEnv(s, { SECRET: 'hunter2-very-secret' })).not.toThrow(/hunter2/);
  });
});

describe('readSecret', () => {
  it('reads X_FILE before X and drops the trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-secret-'));
    writeFileSync(join(dir, 's'), 'from-file\n');
    expect(readSecret({ S: 'inline', S_FILE: join(dir, 's') }, 'S')).toBe('from-file');
    expect(readSecret({ S: 'inline' }, 'S')).toBe('inline');
    expect(readSecret({}, 'S')).toBeUndefined();
  });
  it('fails clearly on a missing file', () => {
    expect(() => readSecret({ S_FILE: '/nonexistent/x' }, 'S')).toThrow(/S_FILE: cannot read/);
  });
});

describe('SIGNET_LOG_LEVEL', () => {
  it.each([
    ['error', ['error']],
    ['log', ['error', 'warn', 'log']],
    ['verbose', ['error', 'warn', 'log', 'debug', 'verbose']],
  ] as const)('ok/%s prints itself and every less detailed level', (level, levels) => {
    expect(logLevelsUpTo(level)).toEqual(levels);
  });

  it('ok/defaults to log', () => {
    expect(loadEnv(LogLevelEnvSchema, {})).toEqual({ SIGNET_LOG_LEVEL: 'log' });
  });

  it('fail/an unknown level names the variable', () => {
    expect(() => loadEnv(LogLevelEnvSchema, { SIGNET_LOG_LEVEL: 'trace' })).toThrow(/SIGNET_LOG_LEVEL/);
  });
});
