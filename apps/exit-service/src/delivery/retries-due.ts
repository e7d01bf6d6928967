/**
 * The retries one pull loop asked for (NAKs with a delay), by stream
 * sequence, until the message comes back. A loop waiting out its batch
 * window has no pull open, so the server could not redeliver into it: the
 * wait ends when the earliest of them is due. A retry that went to another
 * replica never comes back here; it is forgotten a while after it was due.
 */
export class RetriesDue {
  private readonly due = new Map<number, number>();

  constructor(private readonly forgetAfterMs = 30_000) {}

  expect(seq: number, delayMs: number, now = Date.now()): void {
    this.due.set(seq, now + delayMs);
  }

  arrived(seq: number): void {
    this.due.delete(seq);
  }

  /** `ms`, or less when a retry is due sooner (0 when one is due already). */
  capped(ms: number, now = Date.now()): number {
    let wait = ms;
    for (const [seq, at] of this.due) {
      if (at < now - this.forgetAfterMs) this.due.delete(seq);
      else wait = Math.min(wait, Math.max(0, at - now));
    }
    return wait;
  }
}

