/** A counting semaphore: at most `size` holders at once, waiters served in order. */
export class Semaphore {
  private held = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly size: number) {}

  get inUse(): number {
    return this.held;
  }

  async acquire(): Promise<void> {
    if (this.held < this.size) {
      this.held++;
      return;
    }
    await new Promise<void>((r) => this.waiters.push(r));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else this.held--;
  }
}

export class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`no result within ${ms} ms (the attempt was cut off)`);
    this.name = 'AttemptTimeout';
  }
}

/**
 * Runs one attempt with a deadline. The handler gets a signal that fires at
 * the deadline (or when `parent` fires); whether or not it listens, the
 * caller gets its answer at the deadline, so a hanging module costs one
 * slot for `ms` and no more.
 */
export async function withDeadline<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Promise<T> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onParent = () => ac.abort(parent?.reason ?? new Error('stopping'));
  parent?.addEventListener('abort', onParent, { once: true });
  const deadline = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => {
      const timeout = new AttemptTimeout(ms); // made only when needed: an Error records a stack
      ac.abort(timeout);
      reject(timeout);
    }, ms);
    ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true });
  });
  try {
    return await Promise.race([Promise.resolve().then(() => fn(ac.signal)), deadline]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParent);
    // A handler that ignores the signal may still settle later: nobody waits for it, and its rejection is not "unhandled".
    deadline.catch(() => undefined);
  }
}
