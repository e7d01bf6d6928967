import { type CaEvent, type ExitEvent, type ExitReadReply } from '@signet/contracts';

/**
 * Mail templates: `{{name}}` placeholders, nothing else (no logic, no
 * escaping rules to get wrong). Event fields are always there; the
 * read-back fields cost one ICertServerExit call, made only when a template
 * of the module uses one of them.
 */
export const EVENT_FIELDS = ['event', 'eventId', 'ca', 'occurredAt', 'requestId', 'disposition', 'serial', 'subject', 'template', 'message'] as const;
export const READ_BACK_FIELDS = ['requesterName', 'submittedWhen', 'resolvedWhen', 'notBefore', 'notAfter', 'certificateHash', 'dispositionMessage'] as const;
export type TemplateField = (typeof EVENT_FIELDS)[number] | (typeof READ_BACK_FIELDS)[number];
const KNOWN = new Set<string>([...EVENT_FIELDS, ...READ_BACK_FIELDS]);

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The placeholders a template uses. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** Placeholders no event or read-back provides (checked at start, so a typo stops the service). */
export function unknownPlaceholders(text: string): string[] {
  return placeholders(text).filter((p) => !KNOWN.has(p));
}

export function needsReadBack(texts: string[]): boolean {
  const rb = new Set<string>(READ_BACK_FIELDS);
  return texts.some((t) => placeholders(t).some((p) => rb.has(p)));
}

export function templateValues(event: CaEvent, readBack?: ExitReadReply): Record<TemplateField, string> {
  const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    event: event.event,
    eventId: event.id,
    ca: event.ca,
    occurredAt: event.occurredAt,
    requestId: s(event.requestId),
    disposition: s(event.disposition),
    serial: s(event.serial ?? readBack?.certificate?.serial),
    subject: s(event.subject ?? readBack?.request.subject),
    template: s(event.template ?? readBack?.certificate?.template),
    message: s(event.message),
    requesterName: s(readBack?.request.requesterName),
    submittedWhen: s(readBack?.request.submittedWhen),
    resolvedWhen: s(readBack?.request.resolvedWhen),
    notBefore: s(readBack?.certificate?.notBefore),
    notAfter: s(readBack?.certificate?.notAfter),
    certificateHash: s(readBack?.certificate?.certificateHash),
    dispositionMessage: s(readBack?.request.dispositionMessage),
  };
}

export function render(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => values[name] ?? '');
}

/** A subject line is one header line: values from a CSR must not start a new header. */
export function renderSubject(text: string, values: Record<string, string>): string {
  return render(text, values).replace(/[\r\n]+/g, ' ').slice(0, 998);
}

/** The built-in text per event, used when the file names no template for it (AD CS's SMTP exit has one per event too). */
export const DEFAULT_TEMPLATES: Record<ExitEvent, { subject: string; body: string }> = {
  'certificate.issued': {
    subject: '[{{ca}}] Certificate issued: {{subject}} (serial {{serial}})',
    body: 'CA {{ca}} issued a certificate.\n\nRequest: {{requestId}}\nSubject: {{subject}}\nSerial: {{serial}}\nTemplate: {{template}}\nEvent: {{eventId}} at {{occurredAt}}\n',
  },
  'request.pending': {
    subject: '[{{ca}}] Request {{requestId}} is pending approval',
    body: 'Request {{requestId}} ({{subject}}) is waiting for a certificate manager.\n\n{{message}}\nEvent: {{eventId}} at {{occurredAt}}\n',
  },
  'request.denied': {
    subject: '[{{ca}}] Request {{requestId}} was denied',
    body: 'Request {{requestId}} ({{subject}}) was denied.\n\n{{message}}\nEvent: {{eventId}} at {{occurredAt}}\n',
  },
  'certificate.revoked': {
    subject: '[{{ca}}] Certificate {{serial}} was revoked',
    body: 'The certificate with serial {{serial}} (request {{requestId}}, {{subject}}) was revoked.\n\n{{message}}\nEvent: {{eventId}} at {{occurredAt}}\n',
  },
  'request.retrieved': {
    subject: '[{{ca}}] Certificate {{serial}} was retrieved',
    body: 'The certificate of request {{requestId}} (serial {{serial}}) was retrieved.\nEvent: {{eventId}} at {{occurredAt}}\n',
  },
  'crl.issued': {
    subject: '[{{ca}}] CRL issued',
    body: 'CA {{ca}} published a CRL.\n\n{{message}}\nEvent: {{eventId}} at {{occurredAt}}\n',
  },
  'ca.shutdown': { subject: '[{{ca}}] CA stopping', body: '{{message}}\nEvent: {{eventId}} at {{occurredAt}}\n' },
  'ca.startup': { subject: '[{{ca}}] CA started', body: '{{message}}\nEvent: {{eventId}} at {{occurredAt}}\n' },
  'certificate.imported': {
    subject: '[{{ca}}] Certificate {{serial}} imported',
    body: 'A certificate (serial {{serial}}, {{subject}}) was imported into CA {{ca}}.\nEvent: {{eventId}} at {{occurredAt}}\n',
  },
};
