import { createServer, type Server } from 'node:http';
import { verifySignetWebhook } from '../../examples/webhook-receiver/verify';

export interface Delivery {
  path: string;
  at: number;
  rawBody: string;
  eventId: string;
  event: string;
  timestamp: string;
  signature: string;
  verified: boolean;
}

/**
 * A webhook receiver on 127.0.0.1 for the tests, checking every delivery
 * with the verification helper shipped to receivers
 * (examples/webhook-receiver/verify.ts). Per path it can fail (status),
 * hang, or answer too late, to drive retries and redeliveries.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  /** First verified delivery of each event id, per path (each path is one receiver). */
  private readonly processed = new Map<string, Delivery>();
  readonly behaviour = new Map<string, { status?: number; hang?: boolean; slowNext?: number }>();
  private server?: Server;
  port = 0;

  constructor(private readonly secret: string) {}

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        const timestamp = String(req.headers['x-signet-timestamp'] ?? '');
        const signature = String(req.headers['x-signet-signature'] ?? '');
        const verified = verifySignetWebhook({ secret: this.secret, rawBody, timestamp, signature });
        const body = JSON.parse(rawBody) as { id: string; event: string };
        const d: Delivery = { path, at: Date.now(), rawBody, eventId: body.id, event: body.event, timestamp, signature, verified };
        this.deliveries.push(d);
        const b = this.behaviour.get(path) ?? {};
        if (b.status && b.status >= 300) return void res.writeHead(b.status).end('unavailable');
        if (!verified) return void res.writeHead(401).end('bad signature');
        // Idempotent by event id: a second delivery is acknowledged, not processed.
        const key = `${path} ${d.eventId}`;
        if (!this.processed.has(key)) this.processed.set(key, d);
        if (b.hang) return; // never answers
        if (b.slowNext) {
          // Processed, but the answer comes after the sender gave up: it will deliver again.
          b.slowNext--;
          return void setTimeout(() => res.writeHead(204).end(), 4_000);
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** The delivery that was processed for this event on this path (later copies were only acknowledged). */
  processedOn(path: string, eventId: string): Delivery | undefined {
    return this.processed.get(`${path} ${eventId}`);
  }

  /** How many distinct events this path processed. */
  processedCount(path: string, ids: Set<string>): number {
    return [...this.processed.values()].filter((d) => d.path === path && ids.has(d.eventId)).length;
  }

  on(path: string): Delivery[] {
    return this.deliveries.filter((d) => d.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}
