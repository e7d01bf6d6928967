import { type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { type BusClient, decodeJson, encodeJson, errorEnvelope, exponentialBackoff, okEnvelope, retryWithBackoff } from '@signet/bus';
import { Commands, ErrorCode, ExitRollCall, isSignetError, SignetError, type ModuleRegister } from '@signet/contracts';
import { type ExitModule } from '../modules/types';

export function registrationOf(m: ExitModule): ModuleRegister {
  return { kind: 'exit', name: m.name, description: m.description, version: m.version, eventMask: m.mask };
}

/**
 * ICertExit::Initialize, both ways round. Each enabled module
 * - answers ca-core's roll call on `exit.<ca>.initialize` (one subscription
 *   per module, no queue group: ca-core collects every answer), and
 * - announces itself on `ca.<ca>.module.register` at start, for a CA that
 *   is already running; retried a few times in the background, since a CA
 *   that starts later will ask in its roll call anyway.
 */
export class Registration {
  private readonly log = new Logger('Registration');
  private readonly subs: Subscription[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly nc: NatsConnection,
    private readonly bus: BusClient,
    private readonly ca: string,
    private readonly modules: readonly ExitModule[],
  ) {}

  answerRollCall(): void {
    for (const m of this.modules) {
      const reg = registrationOf(m);
      this.subs.push(
        this.nc.subscribe(ExitRollCall.subject(this.ca), {
          callback: (_err, msg) => {
            if (!msg.reply) return;
            let reply;
            try {
              const req = ExitRollCall.request.safeParse(decodeJson(msg.data));
              if (!req.success) throw new SignetError(ErrorCode.BadMessage, 'invalid exit.initialize message');
              reply = okEnvelope(reg);
            } catch (e) {
              reply = errorEnvelope((isSignetError(e) ? e : new SignetError(ErrorCode.BadMessage, 'invalid message')).toBody());
            }
            msg.respond(encodeJson(reply));
          },
        }),
      );
    }
  }

  /** Runs in the background; resolves when every module is registered or has given up. */
  async announce(attempts = 5): Promise<void> {
    await Promise.all(
      this.modules.map(async (m) => {
        const r = await retryWithBackoff(() => this.bus.call(Commands.moduleRegister, this.ca, registrationOf(m), { timeoutMs: 2_000 }), {
          attempts,
          delayMs: exponentialBackoff({ initialDelayMs: 1_000, maxDelayMs: 15_000 }),
          signal: this.abort.signal,
        });
        if (r.outcome === 'done') {
          this.log.log(`module ${m.name} registered with CA ${this.ca} (mask 0x${m.mask.toString(16)})`);
        } else if (r.outcome === 'refused') {
          const e = r.error;
          this.log.warn(`CA ${this.ca} refused module ${m.name}: ${isSignetError(e) ? `${e.code} ${e.message}` : String(e)}`);
        } else {
          this.log.debug(`module ${m.name}: no CA answered the registration; it will answer the CA's roll call`);
        }
      }),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.subs.map((s) => s.drain()));
  }
}
