import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitFor } from '@signet/testing';

export const ROOT = join(__dirname, '..', '..');

export const APPS = ['ca-core', 'policy-service', 'intermediary', 'admin-api', 'exit-service'] as const;
export type App = (typeof APPS)[number];

// Shared with the specs of every project (libs/testing); re-exported for e2e and bench.
export { freePort, waitFor };

export class ServiceProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];
  private exitPromise?: Promise<number | null>;

  constructor(
    readonly app: App,
    private readonly env: NodeJS.ProcessEnv,
    /**
     * Start it as the leader of a session of its own, so it gets a scheduler
     * autogroup of its own (a benchmark can then lower that group's weight).
     */
    private readonly ownSession = false,
  ) {}

  start(): void {
    // Extra node flags for one service, for profiling a benchmark: E2E_NODE_ARGS_EXIT_SERVICE='--cpu-prof --cpu-prof-dir=/tmp/prof'
    // (NODE_OPTIONS refuses --cpu-prof).
    const nodeArgs = (process.env[`E2E_NODE_ARGS_${this.app.toUpperCase().replace(/-/g, '_')}`] ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'apps', this.app, 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.ownSession,
    });
    const keep = (b: Buffer) => {
      for (const line of b.toString().split('\n')) if (line) this.output.push(line);
      if (this.output.length > 2000) this.output.splice(0, this.output.length - 2000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exitPromise = new Promise((r) => child.once('exit', (code) => r(code)));
    this.child = child;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Graceful stop; SIGKILL after a grace period. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (!this.child || !this.running) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exitPromise!;
    clearTimeout(timer);
    return code;
  }

  /** Everything the service logged, for failure messages and secret checks. */
  log(): string {
    return this.output.join('\n');
  }
}
