import { ExitEvent } from '@signet/contracts';
import { SmtpSink } from '@signet/testing';
import { caEvent, ctx, delivery } from '../../testing/fixtures';
import { MailModule } from './mail';
import { render, renderSubject, templateValues, unknownPlaceholders } from './template';

describe('mail templates (table)', () => {
  const values = templateValues(caEvent(ExitEvent.CertificateIssued, { serial: 'abcd', subject: 'CN=x', requestId: 5 }));
  it.each([
    ['ok/event fields', 'serial {{serial}} for {{ subject }} (#{{requestId}})', 'serial abcd for CN=x (#5)'],
    ['ok/absent field renders empty', 'by {{requesterName}}.', 'by .'],
    ['ok/no placeholders', 'plain', 'plain'],
  ])('%s', (_n, t, out) => expect(render(t, values)).toBe(out));
  it('ok/a subject stays one header line whatever a CSR put in the subject', () => {
    expect(renderSubject('x {{subject}}', { ...values, subject: 'CN=a\r\nBcc: evil@example.com' })).toBe('x CN=a Bcc: evil@example.com');
  });
  it('fail/unknown placeholders are reported', () => {
    expect(unknownPlaceholders('{{serial}} {{serail}} {{nope}}')).toEqual(['serail', 'nope']);
  });
});

describe('MailModule with a real SMTP server (aiosmtpd)', () => {
  const smtp = new SmtpSink();
  beforeAll(() => smtp.start(), 20_000);
  afterAll(() => smtp.stop());

  it('ok/sends the templated message to every recipient, with the read-back requester and a Message-ID from the event id', async () => {
    const m = new MailModule({
      name: 'mail',
      type: 'mail',
      enabled: true,
      description: '',
      events: [ExitEvent.RequestPending],
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false },
      from: 'Signet CA <ca@example.test>',
      to: ['pki@example.test', 'ops@example.test'],
      cc: ['audit@example.test'],
      templates: { 'request.pending': { subject: '[{{ca}}] {{requestId}} waits ({{requesterName}})', body: 'Request {{requestId}} for {{subject}}.' } },
      delivery: delivery({ timeoutMs: 5000 }),
      mask: 2,
    });
    const e = caEvent(ExitEvent.RequestPending, { requestId: 42, subject: 'CN=pending.example.test' });
    const readBack = jest.fn().mockResolvedValue({ request: { requesterName: 'alice' }, certificate: null });
    await m.handle(e, ctx({ readBack }));
    await m.close();
    const [mail] = smtp.messages();
    expect(mail.mailFrom).toBe('ca@example.test');
    expect(mail.rcptTos.sort()).toEqual(['audit@example.test', 'ops@example.test', 'pki@example.test']);
    expect(mail.subject).toBe('[signet] 42 waits (alice)');
    expect(mail.data).toContain('Request 42 for CN=pending.example.test.');
    expect(mail.header('Message-ID')).toBe(`<${e.id}.mail@signet.exit>`);
    expect(mail.header('X-Signet-Event-Id')).toBe(e.id);
  });

  it('fail/an unreachable SMTP server fails the attempt', async () => {
    const m = new MailModule({
      name: 'mail', type: 'mail', enabled: true, description: '', events: [ExitEvent.CertificateIssued],
      smtp: { host: '127.0.0.1', port: 1, secure: false, requireTls: false },
      from: 'ca@example.test', to: ['pki@example.test'], cc: [], templates: {}, delivery: delivery({ timeoutMs: 2000 }), mask: 1,
    });
    await expect(m.handle(caEvent(ExitEvent.CertificateIssued, { serial: 'ab' }), ctx())).rejects.toThrow();
    await m.close();
  });
});
