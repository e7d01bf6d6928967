/*
 * A minimal webhook receiver for Signet's webhook exit module.
 * Run: SIGNET_WEBHOOK_SECRET=... node dist/examples/webhook-receiver/server.js
 */
import { createServer } from 'node:http';
import { SeenEvents, verifySignetWebhook } from './verify';

const secret = process.env.SIGNET_WEBHOOK_SECRET ?? '';
const seen = new SeenEvents();

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const ok = verifySignetWebhook({ secret, rawBody, timestamp: req.headers['x-signet-timestamp'] as string, signature: req.headers['x-signet-signature'] as string });
    if (!ok) return void res.writeHead(401).end('bad signature');
    const event = JSON.parse(rawBody) as { id: string; event: string; serial?: string };
    if (seen.firstTime(event.id)) console.log(`${event.event} ${event.serial ?? ''} (${event.id})`);
    res.writeHead(204).end(); // answer 2xx for duplicates too, or Signet retries them
  });
}).listen(Number(process.env.PORT ?? 9090), '127.0.0.1');
