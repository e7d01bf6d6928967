import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An idle cgroup (Linux ≥ 5.15, `cpu.idle` = 1) is SCHED_IDLE for a whole
 * group: against the groups beside it, it weighs the least there is and
 * gives way at once when any of them wakes. SCHED_IDLE on threads alone
 * only does that inside the threads' own group (ADR 0012, ADR 0013).
 *
 * exit-service makes one beside the others where it may: a child of its
 * own cpu cgroup, named IDLE_CGROUP, shared by every exit-service process of
 * the host and kept after they stop (an empty cgroup costs nothing, and the
 * next start reuses it). It never enables a controller or changes any other
 * group. Where the cgroup file system is read-only (a container), belongs
 * to someone else (not root, no delegation), or is cgroup v2 below its root
 * (a process cannot sit beside its own child groups there), it says why and
 * the caller falls back.
 */
export const IDLE_CGROUP = 'signet-exit-idle';

export type CgroupDir = { dir: string; version: 1 | 2 } | { reason: string };

/**
 * Where a process's cpu cgroup is in the file system, from its
 * /proc/<pid>/cgroup and the mount table (/proc/<pid>/mountinfo). cgroup v1's
 * cpu controller wins over v2 where both are mounted (a hybrid host: the
 * controller is on v1 then).
 */
export function cpuCgroupDir(cgroupFile: string, mountinfo: string): CgroupDir {
  const memberships = cgroupFile
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [, controllers, ...path] = l.split(':');
      return { controllers: controllers.split(','), path: path.join(':') };
    });
  const mounts = mountinfo
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [left, right = ''] = l.split(' - ');
      const f = left.split(' ');
      const [fstype, , superOptions = ''] = right.split(' ');
      return { root: unescape(f[3] ?? ''), point: unescape(f[4] ?? ''), fstype, options: superOptions.split(',') };
    });
  const v1 = memberships.find((m) => m.controllers.includes('cpu'));
  if (v1) {
    const mount = mounts.find((m) => m.fstype === 'cgroup' && m.options.includes('cpu'));
    if (!mount) return { reason: 'the cpu cgroup controller is not mounted' };
    return within(mount, v1.path, 1);
  }
  const v2 = memberships.find((m) => m.controllers.length === 1 && m.controllers[0] === '');
  const mount = mounts.find((m) => m.fstype === 'cgroup2');
  if (!v2 || !mount) return { reason: 'no cpu cgroup (neither cgroup v1 cpu nor cgroup v2 is mounted)' };
  return within(mount, v2.path, 2);
}

function within(mount: { root: string; point: string }, path: string, version: 1 | 2): CgroupDir {
  const root = mount.root.replace(/\/$/, '');
  if (root && path !== root && !path.startsWith(`${root}/`)) return { reason: `the process's cgroup ${path} is outside the mounted part (${mount.root})` };
  return { dir: join(mount.point, path.slice(root.length)).replace(/(.)\/$/, '$1'), version };
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export type IdleCgroupOutcome = { dir: string } | { reason: string };

/**
 * Moves a process (all its threads; threads and children started later
 * follow) into the idle cgroup beside its own cgroup, creating it when
 * missing. A process already in a group of that name stays where it is.
 */
export function moveToIdleCgroup(pid: number, name = IDLE_CGROUP): IdleCgroupOutcome {
  let where: CgroupDir;
  try {
    where = cpuCgroupDir(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), readFileSync(`/proc/${pid}/mountinfo`, 'utf8'));
  } catch (e) {
    return { reason: `cannot read the process's cgroup (${message(e)})` };
  }
  if ('reason' in where) return where;
  if (where.dir.endsWith(`/${name}`)) return { dir: where.dir };
  if (where.version === 2) {
    // Below v2's root a process may not sit in a group whose child groups have controllers
    // ("no internal processes"); every group but the root has a cgroup.type file.
    if (readOr(join(where.dir, 'cgroup.type')) !== undefined) return { reason: `cgroup v2 below its root (${where.dir}): an idle group needs the service manager (systemd CPUWeight=idle)` };
    if (!(readOr(join(where.dir, 'cgroup.subtree_control')) ?? '').split(/\s+/).includes('cpu')) return { reason: `the cpu controller is not enabled for child groups of ${where.dir}` };
  }
  const dir = join(where.dir, name);
  let created = false;
  try {
    mkdirSync(dir);
    created = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return { reason: `cannot create ${dir} (${message(e)})` };
  }
  try {
    writeFileSync(join(dir, 'cpu.idle'), '1');
    writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  } catch (e) {
    if (created) rmdirQuietly(dir);
    const code = (e as NodeJS.ErrnoException).code;
    return { reason: code === 'ENOENT' ? `this kernel has no cpu.idle (Linux 5.15 or later has)` : `cannot make ${dir} idle or move into it (${message(e)})` };
  }
  return { dir };
}

/** The cpu cgroup directory a process is in, if it can be found (for tests and logs). */
export function cgroupOf(pid: number): string | undefined {
  try {
    const where = cpuCgroupDir(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), readFileSync(`/proc/${pid}/mountinfo`, 'utf8'));
    return 'dir' in where ? where.dir : undefined;
  } catch {
    return undefined;
  }
}

export function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // still in use, or gone already
  }
}

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function message(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0];
}
