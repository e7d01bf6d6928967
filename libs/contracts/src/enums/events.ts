/**
 * Exit events (EXITEVENT_* bits) and their wire names. The event name is the
 * subject tail under `ca.<ca>.events.`.
 */
export const ExitEvent = {
  CertificateIssued: 'certificate.issued',
  RequestPending: 'request.pending',
  RequestDenied: 'request.denied',
  CertificateRevoked: 'certificate.revoked',
  PendingRetrieved: 'request.retrieved',
  CrlIssued: 'crl.issued',
  CaShutdown: 'ca.shutdown',
  CaStartup: 'ca.startup',
  CertificateImported: 'certificate.imported',
} as const;
export type ExitEvent = (typeof ExitEvent)[keyof typeof ExitEvent];
export const EXIT_EVENTS = Object.values(ExitEvent) as [ExitEvent, ...ExitEvent[]];

export const EXIT_EVENT_BIT: Record<ExitEvent, number> = {
  'certificate.issued': 0x1,
  'request.pending': 0x2,
  'request.denied': 0x4,
  'certificate.revoked': 0x8,
  'request.retrieved': 0x10,
  'crl.issued': 0x20,
  'ca.shutdown': 0x40,
  'ca.startup': 0x80,
  'certificate.imported': 0x200,
};

export const EXIT_EVENT_ALL_MASK = Object.values(EXIT_EVENT_BIT).reduce((a, b) => a | b, 0);

/** The events selected by an EXITEVENT mask. */
export function eventsInMask(mask: number): ExitEvent[] {
  return EXIT_EVENTS.filter((e) => (mask & EXIT_EVENT_BIT[e]) !== 0);
}

export function maskOf(events: readonly ExitEvent[]): number {
  return events.reduce((m, e) => m | EXIT_EVENT_BIT[e], 0);
}
