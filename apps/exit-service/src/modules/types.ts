import { type CaEvent, type ExitEvent, type ExitReadReply } from '@signet/contracts';
import { type DeliverySettings } from '../config/exit-config.schema';

/** What a module's handler gets besides the event (ICertExit::Notify's Context, richer). */
export interface DeliveryContext {
  /** Aborted when the attempt's time is up or the service stops: stop work, the attempt counts as failed. */
  signal: AbortSignal;
  /** 1 for the first delivery of this event to this module. */
  attempt: number;
  /** ICertServerExit: the request and certificate behind the event (one bus call, cached per attempt). */
  readBack(): Promise<ExitReadReply>;
}

/**
 * One exit module (AD CS ICertExit): a name, the events it wants (its
 * mask), and a handler. The handler must be idempotent by event id: the
 * bus delivers at least once. Throwing (or running past the timeout) means
 * "try again later"; a PermanentDeliveryError means "never works": it goes
 * to the dead letters at once.
 */
export interface ExitModule {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly events: readonly ExitEvent[];
  readonly mask: number;
  readonly delivery: DeliverySettings;
  handle(event: CaEvent, ctx: DeliveryContext): Promise<void>;
  /** Releases connections (SMTP) at shutdown. */
  close?(): Promise<void>;
}

/** A failure retrying will not fix (a conflicting file, an event the module cannot use). */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

export const MODULE_VERSION = '0.1.0';

/** What every configured module exposes from its configuration (registration and delivery settings). */
export abstract class ConfiguredModule<C extends { name: string; description: string; events: readonly ExitEvent[]; mask: number; delivery: DeliverySettings }> implements ExitModule {
  readonly version = MODULE_VERSION;

  protected constructor(protected readonly cfg: C) {}

  get name() {
    return this.cfg.name;
  }
  get description() {
    return this.cfg.description;
  }
  get events() {
    return this.cfg.events;
  }
  get mask() {
    return this.cfg.mask;
  }
  get delivery() {
    return this.cfg.delivery;
  }

  abstract handle(event: CaEvent, ctx: DeliveryContext): Promise<void>;
}
