import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { applyCpuPriority, SCHED_IDLE, SCHED_OTHER, threadPolicies } from './cpu-priority';

/**
 * A real Node process with a worker thread; on "more" on stdin it starts a
 * second worker and answers "ready" (to see that threads started after the
 * change inherit it).
 */
function child(opts: { ownSession?: boolean } = {}): Promise<ChildProcess> {
  const script = `
    const { Worker } = require('node:worker_threads');
    const idle = 'setInterval(() => {}, 1000)';
    new Worker(idle, { eval: true }).on('online', () => process.stdout.write('up\\n'));
    process.stdin.on('data', () => new Worker(idle, { eval: true }).on('online', () => process.stdout.write('ready\\n')));
  `;
  const c = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'], detached: opts.ownSession ?? false });
  return new Promise((resolve, reject) => {
    c.once('error', reject);
    c.stdout!.once('data', () => resolve(c));
  });
}

function said(c: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (d: Buffer) => d.toString().includes(what) && (c.stdout!.off('data', on), resolve());
    c.stdout!.on('data', on);
  });
}

describe('exit-service CPU priority', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  const autogroupNice = (pid: number | string) => /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1];

  it('ok/idle puts every thread of the process at SCHED_IDLE, and threads started later inherit it', async () => {
    const c = await child();
    children.push(c);
    const before = threadPolicies(c.pid)!;
    expect(before.length).toBeGreaterThan(4); // main, V8 platform, libuv and the worker
    expect(new Set(before)).toEqual(new Set([SCHED_OTHER]));

    expect(applyCpuPriority('idle', c.pid)).toEqual({ applied: 'idle', autogroup: false });
    const after = threadPolicies(c.pid)!;
    expect(after).toHaveLength(before.length);
    expect(new Set(after)).toEqual(new Set([SCHED_IDLE]));

    const ready = said(c, 'ready');
    c.stdin!.write('more\n');
    await ready;
    const later = threadPolicies(c.pid)!;
    expect(later.length).toBeGreaterThan(after.length);
    expect(new Set(later)).toEqual(new Set([SCHED_IDLE]));
  });

  it('ok/idle lowers the autogroup of a process that leads its own session (as npm start runs it)', async () => {
    const c = await child({ ownSession: true });
    children.push(c);
    expect(autogroupNice(c.pid!)).toBe('0');
    expect(applyCpuPriority('idle', c.pid)).toEqual({ applied: 'idle', autogroup: true });
    expect(autogroupNice(c.pid!)).toBe('19');
    expect(new Set(threadPolicies(c.pid))).toEqual(new Set([SCHED_IDLE]));
  });

  it('ok/idle leaves a shared session\'s autogroup alone (it holds other processes too)', async () => {
    const ours = autogroupNice('self');
    const c = await child();
    children.push(c);
    expect(applyCpuPriority('idle', c.pid)).toEqual({ applied: 'idle', autogroup: false });
    expect(autogroupNice(c.pid!)).toBe(ours);
    expect(autogroupNice('self')).toBe(ours);
  });

  it('ok/normal changes nothing', async () => {
    const c = await child();
    children.push(c);
    expect(applyCpuPriority('normal', c.pid)).toEqual({ applied: 'normal' });
    expect(new Set(threadPolicies(c.pid))).toEqual(new Set([SCHED_OTHER]));
    expect(getPriority(c.pid!)).toBe(0);
  });

  it('fail/without chrt the process falls back to nice 19 and says why', async () => {
    const c = await child();
    children.push(c);
    const outcome = applyCpuPriority('idle', c.pid, () => {
      throw new Error('spawnSync chrt ENOENT');
    });
    expect(outcome).toEqual({ applied: 'nice', reason: 'spawnSync chrt ENOENT', autogroup: false });
    expect(getPriority(c.pid!)).toBe(19);
    expect(new Set(threadPolicies(c.pid))).toEqual(new Set([SCHED_OTHER]));
  });

  it('ok/threadPolicies is undefined for a process that does not exist', () => {
    expect(threadPolicies(2 ** 22 + 7)).toBeUndefined();
  });
});
