import { type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { Commands, Discovery, ErrorCode, ExitRollCall, SignetError, type BusErrorBody } from '@signet/contracts';
import { lastValueFrom } from 'rxjs';
import { type z } from 'zod';
import { decodeJson, encodeJson, errorEnvelope, okEnvelope } from './codec';
import { describeIssues } from './errors';

/**
 * The context a handler gets: the subject it was called on, the command
 * the server routed it to, the message's NATS headers and its body exactly
 * as received (an admin assertion is checked against those bytes, ADR 0028).
 */
export class BusContext extends BaseRpcContext<[string, string?, MsgHdrs?, Uint8Array?]> {
  get subject(): string {
    return this.getArgByIndex(0);
  }

  /** The command's logical name (`Commands.<x>.name`). */
  get command(): string {
    return this.getArgByIndex(1) ?? '';
  }

  /** One header's value (the first), or undefined. */
  header(name: string): string | undefined {
    const h = this.getArgByIndex(2) as MsgHdrs | undefined;
    return h?.has(name) ? h.get(name) : undefined;
  }

  /** The body bytes as received. */
  get body(): Uint8Array {
    return this.getArgByIndex(3) ?? new Uint8Array();
  }
}

interface Route {
  name: string;
  subject: string;
  queue?: string;
  request: z.ZodType;
  reply: z.ZodType;
}

export interface BusServerOptions {
  connection: NatsConnection;
  /** The CA this replica serves; subjects are built for it. */
  ca: string;
}

/**
 * A Nest transport that serves contract commands on plain JSON subjects:
 * `@MessagePattern(Commands.submit.name)` becomes a queue-grouped
 * subscription on `ca.<ca>.request.submit`. Every message is validated
 * against its contract; a bad one gets a typed error reply, never a crash.
 * Replies are `{ok:true,data}` or `{ok:false,error}` so modules in any
 * language can speak to Signet without Nest's envelope.
 */
export class BusServer extends Server implements CustomTransportStrategy {
  private readonly subs: Subscription[] = [];
  private readonly log = new Logger('BusServer');

  constructor(private readonly opts: BusServerOptions) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        const route = this.routeFor(pattern);
        const sub = this.opts.connection.subscribe(route.subject, {
          queue: route.queue,
          callback: (err, msg) => {
            if (err) {
              this.log.error(`subscription ${route.subject} failed: ${err.message}`);
              return;
            }
            void this.dispatch(route, handler, msg);
          },
        });
        this.subs.push(sub);
        this.log.log(`serving ${route.subject}${route.queue ? ` (queue ${route.queue})` : ''}`);
      }
      callback();
    } catch (e) {
      callback(e);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.subs.map((s) => s.drain()));
    this.subs.length = 0;
  }

  on(): never {
    throw new Error('BusServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.opts.connection as T;
  }

  private routeFor(pattern: string): Route {
    if (pattern === Discovery.name) {
      return { name: Discovery.name, subject: Discovery.subject, request: Discovery.request, reply: Discovery.reply };
    }
    if (pattern === ExitRollCall.name) {
      // Scatter-gather like discovery: every exit module process answers.
      return { name: ExitRollCall.name, subject: ExitRollCall.subject(this.opts.ca), request: ExitRollCall.request, reply: ExitRollCall.reply };
    }
    const cmd = Object.values(Commands).find((c) => c.name === pattern);
    if (!cmd) throw new Error(`@MessagePattern('${pattern}') names no command in @signet/contracts`);
    return { name: cmd.name, subject: cmd.subject(this.opts.ca), queue: cmd.queue, request: cmd.request, reply: cmd.reply };
  }

  private async dispatch(route: Route, handler: MessageHandler, msg: Msg): Promise<void> {
    if (!msg.reply) {
      this.log.warn(`dropped a message on ${route.subject} without a reply subject`);
      return;
    }
    let body: BusErrorBody | undefined;
    let result: unknown;
    try {
      const parsed = route.request.safeParse(decodeJson(msg.data));
      if (!parsed.success) {
        throw new SignetError(ErrorCode.BadMessage, `invalid ${route.name} message: ${describeIssues(parsed.error)}`);
      }
      const out = await handler(parsed.data, new BusContext([msg.subject, route.name, msg.headers, msg.data]));
      result = await lastValueFrom(this.transformToObservable(out), { defaultValue: undefined });
      const checked = route.reply.safeParse(result);
      if (!checked.success) {
        this.log.error(`${route.name} handler broke its reply contract: ${describeIssues(checked.error)}`);
        throw new SignetError(ErrorCode.Internal, 'internal error');
      }
      result = checked.data;
    } catch (e) {
      body = toErrorBody(e, route.name, this.log);
    }
    try {
      msg.respond(encodeJson(body ? errorEnvelope(body) : okEnvelope(result)));
    } catch (e) {
      this.log.error(`cannot reply on ${route.subject}: ${(e as Error).message}`);
    }
  }
}

function toErrorBody(e: unknown, name: string, log: Logger): BusErrorBody {
  if (e instanceof SignetError) return e.toBody();
  // Unexpected: log the detail here, tell the caller only that it happened.
  log.error(`${name} failed: ${(e as Error)?.stack ?? String(e)}`);
  return new SignetError(ErrorCode.Internal, 'internal error').toBody();
}
