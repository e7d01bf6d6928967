import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { applyCpuPriority, SCHED_IDLE, SCHED_OTHER, threadPolicies } from './cpu-priority';
import { cgroupOf, cpuCgroupDir, rmdirQuietly } from './idle-cgroup';

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
  const groups: string[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : (c.once('exit', r), c.kill('SIGKILL'))))));
    for (const g of groups.splice(0)) rmdirQuietly(g);
  });
  /** The autogroup tests: no idle cgroup (as where the cgroup file system is read-only). */
  const noCgroup = { idleCgroup: false } as const;

  /** The cpu cgroup directory one thread of a process is in. */
  const cgroupOfTask = (pid: number, tid: string) => {
    const where = cpuCgroupDir(readFileSync(`/proc/${pid}/task/${tid}/cgroup`, 'utf8'), readFileSync('/proc/self/mountinfo', 'utf8'));
    return 'dir' in where ? where.dir : undefined;
  };
  const autogroupNice = (pid: number | string) => /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1];

  it('ok/idle puts every thread of the process at SCHED_IDLE, and threads started later inherit it', async () => {
    const c = await child();
    children.push(c);
    const before = threadPolicies(c.pid)!;
    expect(before.length).toBeGreaterThan(4); // main, V8 platform, libuv and the worker
    expect(new Set(before)).toEqual(new Set([SCHED_OTHER]));

    expect(applyCpuPriority('idle', c.pid, noCgroup)).toMatchObject({ applied: 'idle', autogroup: false });
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
    expect(applyCpuPriority('idle', c.pid, noCgroup)).toEqual({ applied: 'idle', cgroupReason: 'not asked to', autogroup: true });
    expect(autogroupNice(c.pid!)).toBe('19');
    expect(new Set(threadPolicies(c.pid))).toEqual(new Set([SCHED_IDLE]));
  });

  it('ok/idle leaves a shared session\'s autogroup alone (it holds other processes too)', async () => {
    const ours = autogroupNice('self');
    const c = await child();
    children.push(c);
    expect(applyCpuPriority('idle', c.pid, noCgroup)).toEqual({ applied: 'idle', cgroupReason: 'not asked to', autogroup: false });
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
    const outcome = applyCpuPriority('idle', c.pid, {
      ...noCgroup,
      chrt: () => {
        throw new Error('spawnSync chrt ENOENT');
      },
    });
    expect(outcome).toEqual({ applied: 'nice', reason: 'spawnSync chrt ENOENT', cgroupReason: 'not asked to', autogroup: false });
    expect(getPriority(c.pid!)).toBe(19);
    expect(new Set(threadPolicies(c.pid))).toEqual(new Set([SCHED_OTHER]));
  });

  /** Whether this machine lets a process make an idle cgroup beside it (root on a host with a writable cgroup file system, as CI here). */
  function idleCgroupAllowed(): boolean {
    const where = cpuCgroupDir(readFileSync('/proc/self/cgroup', 'utf8'), readFileSync('/proc/self/mountinfo', 'utf8'));
    if (!('dir' in where)) return false;
    if (where.version === 2 && (existsSync(join(where.dir, 'cgroup.type')) || !readFileSync(join(where.dir, 'cgroup.subtree_control'), 'utf8').includes('cpu'))) return false;
    try {
      accessSync(where.dir, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  it('ok/idle moves the whole process into an idle cgroup (cpu.idle 1) where it may, and threads started later follow', async () => {
    const name = `signet-test-idle-${process.pid}`;
    const c = await child({ ownSession: true });
    children.push(c);
    const before = cgroupOf(c.pid!)!;
    const outcome = applyCpuPriority('idle', c.pid, { idleCgroup: name });
    if (!idleCgroupAllowed()) {
      // Elsewhere: it says why, and lowers its autogroup instead.
      expect(outcome).toEqual({ applied: 'idle', cgroupReason: expect.any(String), autogroup: true });
      expect(cgroupOf(c.pid!)).toBe(before);
      return;
    }
    const dir = join(before, name);
    groups.push(dir);
    expect(outcome).toEqual({ applied: 'idle', cgroup: dir });
    expect(readFileSync(join(dir, 'cpu.idle'), 'utf8').trim()).toBe('1');
    expect(cgroupOf(c.pid!)).toBe(dir);
    expect(autogroupNice(c.pid!)).toBe('0'); // in a cgroup of its own the autogroup no longer counts: left alone
    const ready = said(c, 'ready');
    c.stdin!.write('more\n');
    await ready;
    const tids = readdirSync(`/proc/${c.pid}/task`);
    expect(tids.length).toBeGreaterThan(5);
    for (const tid of tids) expect(cgroupOfTask(c.pid!, tid)).toBe(dir);
    expect(new Set(threadPolicies(c.pid))).toEqual(new Set([SCHED_IDLE]));
    // A second start finds the group there and joins it; the group is not nested.
    const again = await child();
    children.push(again);
    expect(applyCpuPriority('idle', again.pid, { idleCgroup: name })).toEqual({ applied: 'idle', cgroup: dir });
    expect(applyCpuPriority('idle', again.pid, { idleCgroup: name })).toEqual({ applied: 'idle', cgroup: dir });
  });

  it('fail/where no idle cgroup can be made the process says why and falls back to its autogroup', async () => {
    const c = await child({ ownSession: true });
    children.push(c);
    const before = cgroupOf(c.pid!);
    const outcome = applyCpuPriority('idle', c.pid, { idleCgroup: 'no-such-parent/signet-exit-idle' });
    expect(outcome).toEqual({ applied: 'idle', cgroupReason: expect.stringMatching(/cannot create .*no-such-parent\/signet-exit-idle \(ENOENT\)|cgroup/), autogroup: true });
    expect(cgroupOf(c.pid!)).toBe(before);
    expect(autogroupNice(c.pid!)).toBe('19');
  });

  it('ok/threadPolicies is undefined for a process that does not exist', () => {
    expect(threadPolicies(2 ** 22 + 7)).toBeUndefined();
  });
});
