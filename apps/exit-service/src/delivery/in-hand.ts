/** What the runner needs of a message in hand (JsMsg's acknowledgement calls). */
export interface Acknowledgeable {
  ack(): void;
  working(): void;
}

/**
 * The messages one module has in hand, and what is said about them on the
 * bus, gathered so that it costs one write instead of one per message:
 *
 * - one timer touches every message in hand (+WPI) each `heartbeatMs`,
 *   instead of one timer per message;
 * - acknowledgements wait up to `ackDelayMs` and go out together, those of
 *   every module in the process (the NATS client sends everything said in
 *   one tick as one write). A crash in that moment only means the events
 *   come again, which at-least-once allows. The wait stays well inside the
 *   time the server gives a message before redelivering it (half the
 *   heartbeat period, which is a third of that time), and at most 50 ms.
 */
export class InHand {
  private readonly held = new Set<Acknowledgeable>();
  private beat?: NodeJS.Timeout;

  constructor(
    private readonly heartbeatMs: number,
    private readonly ackDelayMs = Math.min(50, Math.floor(heartbeatMs / 2)),
  ) {}

  get size(): number {
    return this.held.size;
  }

  take(m: Acknowledgeable): void {
    this.held.add(m);
    this.beat ??= setInterval(() => {
      for (const h of this.held) h.working();
    }, this.heartbeatMs);
  }

  /** Done with it without an acknowledgement (NAK, TERM: said at once by the caller). Idempotent. */
  release(m: Acknowledgeable): void {
    this.held.delete(m);
    if (this.held.size === 0 && this.beat) {
      clearInterval(this.beat);
      this.beat = undefined;
    }
  }

  ack(m: Acknowledgeable): void {
    this.release(m);
    acks.push(m);
    const due = Date.now() + this.ackDelayMs;
    if (ackTimer && due >= ackDue) return;
    if (ackTimer) clearTimeout(ackTimer);
    ackDue = due;
    ackTimer = setTimeout(flushAcks, this.ackDelayMs);
  }

  /** Sends the acknowledgements still waiting (also at shutdown). */
  flush(): void {
    flushAcks();
  }
}

/** Acknowledgements waiting to go out, of every module in this process. */
let acks: Acknowledgeable[] = [];
let ackTimer: NodeJS.Timeout | undefined;
let ackDue = 0;

function flushAcks(): void {
  if (ackTimer) clearTimeout(ackTimer);
  ackTimer = undefined;
  const batch = acks;
  acks = [];
  for (const m of batch) m.ack();
}
