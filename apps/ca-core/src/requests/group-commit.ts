import { isTransientDatabaseError } from '../database/transient';

/** One item's outcome that is not a result: the error its caller gets; the rest of the batch is not affected. */
export class Refused {
  constructor(readonly error: unknown) {}
}

/**
 * Thrown by a batch's `write` when some items must be refused and what was
 * written for them is already in the transaction (a replayed one-time
 * credential): the transaction rolls back, those items get their errors,
 * and the batch is written again without them.
 */
export class RefuseAndRetry extends Error {
  constructor(readonly refused: Map<number, unknown>) {
    super(`${refused.size} item(s) of the batch refused`);
    if (refused.size === 0) throw new Error('RefuseAndRetry needs at least one refused item');
  }
}

export interface GroupCommitOptions<I, O> {
  /** How long the first item of a batch waits for others (0: the items of this turn of the event loop). */
  windowMs: number;
  /** The most items one batch holds. */
  max: number;
  /** Writes the items in one transaction; an outcome per item, in order. */
  write(items: I[]): Promise<Array<O | Refused>>;
}

interface Job<I, O> {
  input: I;
  resolve(o: O): void;
  reject(e: unknown): void;
}

/**
 * Group commit (ADR 0037): items that arrive within `windowMs` of each
 * other — and every item that arrives while a batch is being written —
 * share one transaction, its statements and its log flush. One batch is
 * written at a time, so the next one forms while the database works.
 *
 * A batch that fails as a whole is retried item by item when the failure
 * may be one item's (a value or constraint the database refuses), so one
 * bad item does not fail its neighbours; a transient failure (a lost
 * connection, a server restart) fails every item of the batch, each
 * caller deciding what its request becomes.
 */
export class GroupCommit<I, O> {
  private queue: Array<Job<I, O>> = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(private readonly opts: GroupCommitOptions<I, O>) {}

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.kick();
    });
  }

  /** Resolves once everything added so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.writing || this.queue.length) {
      if (!this.writing) this.start();
      await this.writing;
    }
  }

  private kick(): void {
    if (this.writing) return; // the running loop takes it next
    if (this.queue.length >= this.opts.max) {
      this.start();
      return;
    }
    if (this.timer) return;
    const go = () => {
      this.timer = undefined;
      if (!this.writing) this.start();
    };
    this.timer = this.opts.windowMs > 0 ? setTimeout(go, this.opts.windowMs) : (setImmediate(go) as unknown as NodeJS.Timeout);
  }

  private start(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      clearImmediate(this.timer as unknown as NodeJS.Immediate);
      this.timer = undefined;
    }
    this.writing = (async () => {
      try {
        while (this.queue.length) await this.writeBatch(this.queue.splice(0, this.opts.max));
      } finally {
        this.writing = undefined;
      }
    })();
  }

  private async writeBatch(jobs: Array<Job<I, O>>): Promise<void> {
    let pending = jobs;
    for (;;) {
      let out: Array<O | Refused>;
      try {
        out = await this.opts.write(pending.map((j) => j.input));
      } catch (e) {
        if (e instanceof RefuseAndRetry) {
          pending = pending.filter((j, i) => {
            if (!e.refused.has(i)) return true;
            j.reject(e.refused.get(i));
            return false;
          });
          if (pending.length === 0) return;
          continue;
        }
        if (pending.length > 1 && !isTransientDatabaseError(e)) {
          for (const j of pending) await this.writeBatch([j]);
          return;
        }
        for (const j of pending) j.reject(e);
        return;
      }
      pending.forEach((j, i) => {
        const o = out[i];
        if (o instanceof Refused) j.reject(o.error);
        else j.resolve(o);
      });
      return;
    }
  }
}
