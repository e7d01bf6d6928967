import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { IDLE_CGROUP, moveToIdleCgroup } from './idle-cgroup';

/**
 * How exit-service competes for CPU with the CA it serves
 * (SIGNET_EXIT_CPU_PRIORITY, ADR 0012):
 * - `normal`: like any process (exit-service on hosts of its own);
 * - `idle`: Linux's SCHED_IDLE for every thread of the process, present and
 *   future: whenever a task of the CA wants a CPU exit-service holds, it
 *   takes it at once; exit-service runs on what the CA leaves. Events wait
 *   in JetStream meanwhile, so nothing is lost, only delivered later. For
 *   exit-service on the CA's own host (docker-compose, `npm start`).
 *
 * SCHED_IDLE ranks a task against the tasks of its own scheduler group only;
 * groups compete by weight. So at `idle` the process also lowers its group,
 * the best way it may (ADR 0013):
 * 1. an idle cgroup (`cpu.idle` = 1), a child of its own, which it moves into
 *    (idle-cgroup.ts): the group then gives way at once too. Needs a
 *    writable cgroup file system (root on a host; not inside a container);
 * 2. else, when it leads a session of its own (as `npm start` and any
 *    daemon start it), its autogroup at nice 19 (weight 15 against 1024). A
 *    process sharing its session is left at that (renicing the group would
 *    renice its neighbours).
 * Under a container engine the container's cgroup decides: docker-compose.yml
 * gives exit-service the lowest CPU shares; a systemd unit says
 * `CPUWeight=idle`.
 */
export const CPU_PRIORITIES = ['normal', 'idle'] as const;
export type CpuPriority = (typeof CPU_PRIORITIES)[number];

/** Linux's scheduling policy numbers (sched.h) as /proc reports them. */
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

export interface PriorityOutcome {
  /** What the process now runs at: `nice` when SCHED_IDLE could not be set and nice 19 was used instead. */
  applied: 'normal' | 'idle' | 'nice';
  /** Why SCHED_IDLE could not be set. */
  reason?: string;
  /** The idle cgroup the process moved into. */
  cgroup?: string;
  /** Why it did not move into an idle cgroup. */
  cgroupReason?: string;
  /** No idle cgroup, but the process leads its own session and its autogroup's nice was set to 19. */
  autogroup?: boolean;
}

export interface PriorityOptions {
  /** Sets the scheduling policy (util-linux chrt by default). */
  chrt?: (args: string[]) => void;
  /** The idle cgroup's name (IDLE_CGROUP), or false to leave the cgroup alone. */
  idleCgroup?: string | false;
}

/**
 * Puts a process (this one by default) at the given priority. SCHED_IDLE is
 * set with util-linux's `chrt` on all of the process's threads; threads
 * started later (libuv's pool, worker threads) inherit it. Lowering one's
 * own priority needs no privilege. Where that fails (no chrt, not Linux, a
 * seccomp profile refusing it) the process falls back to nice 19, the
 * lowest priority every system allows, and says why.
 */
export function applyCpuPriority(priority: CpuPriority, pid = process.pid, opts: PriorityOptions = {}): PriorityOutcome {
  if (priority === 'normal') return { applied: 'normal' };
  let outcome: PriorityOutcome;
  try {
    (opts.chrt ?? runChrt)(['--all-tasks', '--idle', '--pid', '0', String(pid)]);
    outcome = { applied: 'idle' };
  } catch (e) {
    setPriority(pid, 19);
    outcome = { applied: 'nice', reason: firstLine((e as Error).message) };
  }
  const name = opts.idleCgroup ?? IDLE_CGROUP;
  const moved = name === false ? { reason: 'not asked to' } : moveToIdleCgroup(pid, name);
  if ('dir' in moved) return { ...outcome, cgroup: moved.dir };
  return { ...outcome, cgroupReason: moved.reason, autogroup: lowerAutogroup(pid) };
}

/** Sets the process's autogroup to nice 19 when the group is its alone (it leads its session); reports whether it did. */
function lowerAutogroup(pid: number): boolean {
  const file = `/proc/${pid}/autogroup`;
  if (!existsSync(file) || statFields(pid)?.[6 - 3] !== String(pid)) return false;
  try {
    writeFileSync(file, '19');
    return true;
  } catch {
    return false;
  }
}

/** /proc/<pid>[/task/<tid>]/stat from field 3 on (the command name, field 2, may hold spaces and parentheses). */
function statFields(pid: number, tid?: string): string[] | undefined {
  try {
    const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function runChrt(args: string[]): void {
  execFileSync('chrt', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5_000 });
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 200);
}

/**
 * The scheduling policy of each thread of a process (/proc/<pid>/task/<tid>/stat,
 * field 41), or undefined where /proc is not Linux's.
 */
export function threadPolicies(pid = process.pid): number[] | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const policies: number[] = [];
  for (const tid of tids) {
    const fields = statFields(pid, tid);
    if (fields) policies.push(Number(fields[41 - 3])); // else the thread ended meanwhile
  }
  return policies;
}
