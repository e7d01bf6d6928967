import { type CaEvent } from '@signet/contracts';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type ResolvedModule } from '../../config/exit-config';
import { ConfiguredModule, MODULE_VERSION, type DeliveryContext } from '../types';
import { EVENT_HEADER, EVENT_ID_HEADER, sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature';

type WebhookConfig = Extract<ResolvedModule, { type: 'webhook' }>;

/** A receiver's answer is read only this far (it is logged on failure, never trusted). */
const MAX_RESPONSE_CHARS = 512;

/**
 * POSTs each event, as the JSON the CA published, to one URL with an
 * HMAC-SHA256 signature. Any answer but 2xx, a network error or the attempt
 * timeout fails the attempt; JetStream redelivers with the module's backoff
 * (and jitter), and after the last attempt the event becomes a dead letter.
 * Retries are the bus's, not in-process loops: a waiting retry holds no
 * slot, survives a restart, and shows up in the consumer's state.
 * Redirects are not followed (a signed event goes only where configured).
 *
 * Connections are kept alive, at most one per delivery slot (node:http's
 * agent: a fraction of fetch's CPU per request, which matters when exit
 * modules share the CA's machine). A request on a kept-alive connection
 * that the receiver closed at the same moment is sent once more on a new
 * connection: the receiver cannot have processed it, and receivers are
 * idempotent by event id anyway.
 */
export class WebhookModule extends ConfiguredModule<WebhookConfig> {
  private readonly target: URL;
  private readonly agent: HttpAgent;
  private readonly send: (url: URL, options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;

  constructor(
    cfg: WebhookConfig,
    private readonly now: () => number = Date.now,
  ) {
    super(cfg);
    this.target = new URL(cfg.url);
    const secure = this.target.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: cfg.delivery.concurrency, scheduling: 'lifo' as const };
    this.agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = secure ? httpsRequest : httpRequest;
  }

  async handle(event: CaEvent, ctx: DeliveryContext): Promise<void> {
    const json = JSON.stringify(event);
    const body = Buffer.from(json);
    const timestamp = Math.floor(this.now() / 1000);
    const headers = {
      ...this.cfg.headers,
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': `signet-exit-service/${MODULE_VERSION}`,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: sign(this.cfg.secret, timestamp, json),
      [EVENT_ID_HEADER]: event.id,
      [EVENT_HEADER]: event.event,
    };
    const res = await this.post(body, headers, ctx.signal).catch((e: Error & { reused?: boolean; code?: string }) => {
      if (e.reused && e.code === 'ECONNRESET' && !ctx.signal.aborted) return this.post(body, headers, ctx.signal);
      throw e;
    });
    const status = res.statusCode ?? 0;
    const text = await readAnswer(res, status >= 200 && status < 300 ? 0 : MAX_RESPONSE_CHARS);
    if (status >= 200 && status < 300) return;
    const shown = text.replace(/\s+/g, ' ');
    throw new Error(`${this.target.origin} answered ${status}${shown ? `: ${shown}` : ''}`);
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  /** One POST; resolves with the response once its headers are in. */
  private post(body: Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.send(this.target, { method: 'POST', agent: this.agent, headers, signal }, resolve);
      req.once('error', (e: Error & { reused?: boolean }) => {
        e.reused = req.reusedSocket;
        reject(e);
      });
      req.end(body);
    });
  }
}

/**
 * Reads a response to its end (so the connection can carry the next
 * request), keeping at most `keep` characters of it. Rejects when the
 * attempt is cut while the body is still arriving.
 */
function readAnswer(res: IncomingMessage, keep: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (text.length < keep) text += chunk.slice(0, keep - text.length);
    });
    res.once('end', () => resolve(text));
    res.once('error', reject);
    res.once('close', () => (res.complete ? resolve(text) : reject(new Error('the receiver closed the connection before its answer was complete'))));
  });
}
