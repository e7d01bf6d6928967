import { cpuCgroupDir } from './idle-cgroup';

/** mountinfo lines as Linux writes them (proc(5)). */
const V1_CPU = '33 25 0:29 / /sys/fs/cgroup/cpu rw,relatime shared:12 - cgroup cgroup rw,cpu';
const V1_CPU_CPUACCT = '33 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct';
const V1_CPUSET = '34 25 0:30 / /sys/fs/cgroup/cpuset rw,relatime shared:13 - cgroup cgroup rw,cpuset';
const V2 = '30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
const V2_HYBRID = '31 25 0:27 / /sys/fs/cgroup/unified rw,relatime shared:5 - cgroup2 cgroup2 rw';
const ROOTFS = '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw';

describe('where a process\'s cpu cgroup is', () => {
  it('ok/cgroup v1 with a cpu hierarchy of its own', () => {
    const cgroup = '4:memory:/x\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n';
    expect(cpuCgroupDir(cgroup, [ROOTFS, V1_CPUSET, V1_CPU, V2_HYBRID].join('\n'))).toEqual({ dir: '/sys/fs/cgroup/cpu', version: 1 });
  });

  it('ok/cgroup v1 with cpu and cpuacct together, below the root (a hybrid systemd host: v1 wins, it has the controller)', () => {
    const cgroup = '9:cpu,cpuacct:/system.slice/signet.service\n0::/system.slice/signet.service\n';
    expect(cpuCgroupDir(cgroup, [ROOTFS, V1_CPU_CPUACCT, V2_HYBRID].join('\n'))).toEqual({ dir: '/sys/fs/cgroup/cpu,cpuacct/system.slice/signet.service', version: 1 });
  });

  it('ok/cgroup v2 only', () => {
    expect(cpuCgroupDir('0::/\n', [ROOTFS, V2].join('\n'))).toEqual({ dir: '/sys/fs/cgroup', version: 2 });
    expect(cpuCgroupDir('0::/user.slice/session-1.scope\n', [ROOTFS, V2].join('\n'))).toEqual({ dir: '/sys/fs/cgroup/user.slice/session-1.scope', version: 2 });
  });

  it('ok/a mount of part of the hierarchy (a container\'s bind mount): the path is taken relative to it', () => {
    const mount = '40 30 0:29 /docker/abc /sys/fs/cgroup/cpu ro,relatime - cgroup cgroup rw,cpu';
    expect(cpuCgroupDir('1:cpu:/docker/abc\n', mount)).toEqual({ dir: '/sys/fs/cgroup/cpu', version: 1 });
    expect(cpuCgroupDir('1:cpu:/docker/abc/inner\n', mount)).toEqual({ dir: '/sys/fs/cgroup/cpu/inner', version: 1 });
  });

  it('ok/escaped characters in mount points', () => {
    const mount = '33 25 0:29 / /mnt/cg\\040cpu rw - cgroup cgroup rw,cpu';
    expect(cpuCgroupDir('1:cpu:/\n', mount)).toEqual({ dir: '/mnt/cg cpu', version: 1 });
  });

  it('fail/the cgroup is outside the mounted part', () => {
    const mount = '40 30 0:29 /docker/abc /sys/fs/cgroup/cpu ro,relatime - cgroup cgroup rw,cpu';
    expect(cpuCgroupDir('1:cpu:/docker/other\n', mount)).toEqual({ reason: expect.stringContaining('outside the mounted part') });
  });

  it('fail/a cpu cgroup named but not mounted, or none at all', () => {
    expect(cpuCgroupDir('1:cpu:/\n', ROOTFS)).toEqual({ reason: 'the cpu cgroup controller is not mounted' });
    expect(cpuCgroupDir('', ROOTFS)).toEqual({ reason: expect.stringContaining('no cpu cgroup') });
    expect(cpuCgroupDir('0::/\n', ROOTFS)).toEqual({ reason: expect.stringContaining('no cpu cgroup') });
  });
});
