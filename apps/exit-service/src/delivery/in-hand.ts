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
 *   come again, which at-least-once allows.
 */
export class InHand {
  private readonly held = new Set<Acknowledgeable>();
  private beat?: NodeJS.Timeout;

  constructor(
    private readonly heartbeatMs: number,
    private readonly ackDelayMs = 5,
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
    ackTimer ??= setTimeout(flushAcks, this.ackDelayMs);
  }

  /** Sends the acknowledgements still waiting (also at shutdown). */
  flush(): void {
    flushAcks();
  }
}

/** Acknowledgements waiting to go out, of every module in this process. */
let acks: Acknowledgeable[] = [];
let ackTimer: NodeJS.Timeout | undefined;

function flushAcks(): void {
  if (ackTimer) clearTimeout(ackTimer);
  ackTimer = undefined;
  const batch = acks;
  acks = [];
  for (const m of batch) m.ack();
}
