import { type CaEvent } from '@signet/contracts';
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
 */
export class WebhookModule extends ConfiguredModule<WebhookConfig> {

  constructor(
    cfg: WebhookConfig,
    private readonly now: () => number = Date.now,
  ) {
    super(cfg);
  }

  async handle(event: CaEvent, ctx: DeliveryContext): Promise<void> {
    const body = JSON.stringify(event);
    const timestamp = Math.floor(this.now() / 1000);
    const res = await fetch(this.cfg.url, {
      method: 'POST',
      redirect: 'manual',
      signal: ctx.signal,
      headers: {
        ...this.cfg.headers,
        'content-type': 'application/json',
        'user-agent': `signet-exit-service/${MODULE_VERSION}`,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: sign(this.cfg.secret, timestamp, body),
        [EVENT_ID_HEADER]: event.id,
        [EVENT_HEADER]: event.event,
      },
      body,
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => undefined);
      return;
    }
    const text = (await res.text().catch(() => '')).slice(0, MAX_RESPONSE_CHARS).replace(/\s+/g, ' ');
    throw new Error(`${new URL(this.cfg.url).origin} answered ${res.status}${text ? `: ${text}` : ''}`);
  }
}
