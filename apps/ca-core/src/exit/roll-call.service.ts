import { Inject, Injectable, Logger } from '@nestjs/common';
import { type NatsConnection } from '@nats-io/transport-node';
import { encodeJson, parseReply } from '@signet/bus';
import { ExitRollCall, type CaInfo } from '@signet/contracts';
import { CA_CONFIG, type CaConfig } from '../config/ca-config';
import { ModuleRegistry } from '../registry/module.registry';

/** Injection token for ca-core's bus connection (the roll call is scatter-gather, not a BusClient call). */
export const EXIT_NATS = Symbol('EXIT_NATS');

/** How long the roll call collects answers. Modules that miss it register themselves later. */
const ROLL_CALL_WINDOW_MS = 1_500;

/**
 * ICertExit::Initialize as a roll call: at start ca-core asks every exit
 * module on the bus (`exit.<ca>.initialize`, no queue group) and records each
 * answer (name, description, version, event mask) in module_registration.
 * It runs in the background and never delays start-up: events do not depend
 * on it (they are durable in JetStream whoever listens), it only tells the
 * CA, and its administrators, who is there.
 */
@Injectable()
export class ExitRollCallService {
  private readonly log = new Logger('ExitRollCall');

  constructor(
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    @Inject(EXIT_NATS) private readonly nc: NatsConnection,
    private readonly registry: ModuleRegistry,
  ) {}

  /** Starts the roll call; returns at once. */
  start(ca: CaInfo): void {
    void this.run(ca).catch((e) => this.log.warn(`exit module roll call failed: ${(e as Error).message}`));
  }

  /** One roll call; resolves with the names recorded (for tests and logs). */
  async run(ca: CaInfo, windowMs = ROLL_CALL_WINDOW_MS): Promise<string[]> {
    const { certificate: _omit, ...caWithoutCert } = ca;
    const request = ExitRollCall.request.parse({ ca: caWithoutCert });
    const recorded: string[] = [];
    let replies: AsyncIterable<{ data: Uint8Array }>;
    try {
      replies = await this.nc.requestMany(ExitRollCall.subject(this.config.caName), encodeJson(request), { strategy: 'timer', maxWait: windowMs });
    } catch (e) {
      this.log.debug(`no exit module answered the roll call (${(e as Error).message})`);
      return recorded;
    }
    try {
      for await (const m of replies) {
        try {
          const reg = parseReply({ name: ExitRollCall.name, reply: ExitRollCall.reply }, m.data);
          if (reg.kind !== 'exit') {
            this.log.warn(`ignored a roll-call answer of kind ${reg.kind} from ${reg.name}`);
            continue;
          }
          await this.registry.record({ kind: 'exit', name: reg.name, description: reg.description, version: reg.version, eventMask: reg.eventMask });
          recorded.push(reg.name);
        } catch (e) {
          // One malformed answer must not hide the others.
          this.log.warn(`ignored a malformed roll-call answer: ${(e as Error).message}`);
        }
      }
    } catch {
      // "no responders" ends the iteration with an error: nobody (more) answered.
    }
    const names = [...new Set(recorded)].sort();
    this.log.log(names.length ? `exit modules present at start: ${names.join(', ')}` : 'no exit module answered the roll call; late modules register themselves');
    return names;
  }
}
