import { type CaEvent, type ExitReadReply } from '@signet/contracts';
import { createTransport, type Transporter } from 'nodemailer';
import { type ResolvedModule } from '../../config/exit-config';
import { ConfiguredModule, type DeliveryContext } from '../types';
import { DEFAULT_TEMPLATES, needsReadBack, render, renderSubject, templateValues } from './template';

type MailConfig = Extract<ResolvedModule, { type: 'mail' }>;

/**
 * AD CS's SMTP exit: one templated message per event to the configured
 * recipients, through an SMTP server. The Message-ID is derived from the
 * event id and the module, so a redelivered event yields the same
 * Message-ID and mail systems can drop the copy (SMTP itself cannot be made
 * exactly-once). Connection, greeting and socket timeouts stay inside the
 * attempt's time so a silent server fails the attempt instead of hanging.
 */
export class MailModule extends ConfiguredModule<MailConfig> {
  private readonly transport: Transporter;
  private readonly readBackNeeded: boolean;

  constructor(cfg: MailConfig) {
    super(cfg);
    const t = cfg.delivery.timeoutMs;
    // Pooled: a few long-lived SMTP connections instead of one handshake per message.
    this.transport = createTransport({
      pool: true,
      maxConnections: cfg.delivery.concurrency,
      host: cfg.smtp.host,
      port: cfg.smtp.port,
      secure: cfg.smtp.secure,
      requireTLS: cfg.smtp.requireTls,
      auth: cfg.smtp.user ? { user: cfg.smtp.user, pass: cfg.smtp.password ?? '' } : undefined,
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
    });
    const texts = cfg.events.flatMap((e) => Object.values(this.templateFor(e)));
    this.readBackNeeded = needsReadBack(texts);
  }

  async handle(event: CaEvent, ctx: DeliveryContext): Promise<void> {
    let rb: ExitReadReply | undefined;
    if (this.readBackNeeded && event.requestId !== undefined) rb = await ctx.readBack();
    const values = templateValues(event, rb);
    const t = this.templateFor(event.event);
    await this.transport.sendMail({
      // The SMTP envelope from the (already validated) configuration: nodemailer then need not derive it from the headers.
      envelope: { from: this.cfg.from, to: [...this.cfg.to, ...this.cfg.cc] },
      from: this.cfg.from,
      to: this.cfg.to,
      cc: this.cfg.cc.length ? this.cfg.cc : undefined,
      subject: renderSubject(t.subject, values),
      text: render(t.body, values),
      messageId: `<${event.id}.${this.cfg.name}@signet.exit>`,
      headers: { 'X-Signet-Event-Id': event.id, 'X-Signet-Event': event.event },
      signal: ctx.signal,
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  private templateFor(event: CaEvent['event']): { subject: string; body: string } {
    return this.cfg.templates[event] ?? DEFAULT_TEMPLATES[event];
  }
}
