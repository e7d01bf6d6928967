import { ErrorCode, SignetError } from '@signet/contracts';
import { ModuleAnnouncer, type AnnouncerLog } from './announcer';

function fakeLog(): AnnouncerLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(`log ${m}`), debug: (m) => lines.push(`debug ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}
const unavailable = () => new SignetError(ErrorCode.CaUnavailable, 'no service answers');

describe('ModuleAnnouncer', () => {
  it('ok/registers on the first answer', async () => {
    const log = fakeLog();
    const register = jest.fn().mockResolvedValue({});
    await expect(new ModuleAnnouncer({ register, log, wait: async () => undefined }).run()).resolves.toBe('registered');
    expect(register).toHaveBeenCalledTimes(1);
    expect(log.lines).toEqual(['log registered with ca-core']);
  });

  it('ok/retries while ca-core is down, with growing waits, logging at debug', async () => {
    const log = fakeLog();
    const waits: number[] = [];
    const register = jest.fn().mockRejectedValueOnce(unavailable()).mockRejectedValueOnce(unavailable()).mockResolvedValue({});
    const outcome = await new ModuleAnnouncer({ register, log, wait: async (ms) => void waits.push(ms) }).run();
    expect(outcome).toBe('registered');
    expect(waits).toEqual([1000, 2000]);
    expect(log.lines.filter((l) => l.startsWith('debug'))).toHaveLength(2);
  });

  it('fail/gives up quietly after the last attempt', async () => {
    const log = fakeLog();
    const register = jest.fn().mockRejectedValue(unavailable());
    await expect(new ModuleAnnouncer({ register, log, attempts: 3, wait: async () => undefined }).run()).resolves.toBe('gave-up');
    expect(register).toHaveBeenCalledTimes(3);
    expect(log.lines.every((l) => l.startsWith('debug'))).toBe(true);
  });

  it('fail/stops at once when ca-core refuses (not retryable)', async () => {
    const log = fakeLog();
    const register = jest.fn().mockRejectedValue(new SignetError(ErrorCode.BadMessage, 'invalid'));
    await expect(new ModuleAnnouncer({ register, log, wait: async () => undefined }).run()).resolves.toBe('refused');
    expect(register).toHaveBeenCalledTimes(1);
    expect(log.lines[0]).toMatch(/^warn/);
  });

  it('ok/stop() ends a pending wait (shutdown)', async () => {
    const log = fakeLog();
    const register = jest.fn().mockRejectedValue(unavailable());
    const announcer = new ModuleAnnouncer({ register, log, delayMs: () => 60_000 });
    const run = announcer.run();
    await new Promise((r) => setImmediate(r));
    announcer.stop();
    await expect(run).resolves.toBe('stopped');
  });
});
