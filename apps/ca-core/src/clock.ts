/**
 * Where ca-core's decisions read the time: validity of new certificates,
 * whether a CRL is due, OCSP's producedAt and nextUpdate, the CA's state.
 * Injected, so tests set the time instead of waiting for it; production
 * uses the system clock. (Durations and deadlines of waits use Date.now();
 * revocation and CRL times that must agree with rows the database stamped
 * use the database's clock, as before.)
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** Test clock: stands still until moved. */
export class FixedClock extends Clock {
  constructor(private at: Date) {
    super();
  }

  now(): Date {
    return new Date(this.at.getTime());
  }

  set(at: Date): void {
    this.at = new Date(at.getTime());
  }

  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}
