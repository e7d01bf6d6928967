/**
 * Runs `task` at most once at a time, and at most once more after that:
 * asks made while it runs are folded into one further run, which starts
 * when the current one ends (so it sees everything asked for before it
 * started). For CRLs after revocations: a burst of revocations during a
 * long CRL (a million entries take seconds, docs/benchmarks.md) costs one
 * more CRL, not one per revocation waiting on the CRL lock.
 */
export class Coalescer {
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Asks for a run; resolves when the run that covers this ask is done. */
  request(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The run in progress (and its follow-up), if any. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.task().catch(this.onError);
    } while (this.again);
  }
}
