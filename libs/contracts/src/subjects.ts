import { z } from 'zod';
import { assertCaName } from './ca-name';
import { type ExitEvent } from './enums/events';
import {
  CaCertificateReplySchema,
  CaCertificateRequestSchema,
  CaPropertiesReplySchema,
  CaPropertiesRequestSchema,
  CaRecordSchema,
  CertificateBySerialReplySchema,
  CertificateBySerialRequestSchema,
  DiscoveryRequestSchema,
} from './messages/ca';
import { ModuleRecordSchema, ModuleRegisterSchema } from './messages/modules';
import {
  PolicyInitReplySchema,
  PolicyInitRequestSchema,
  PolicyVerifyReplySchema,
  PolicyVerifyRequestSchema,
} from './messages/policy';
import { RequestResultSchema, RetrieveRequestSchema, SubmitRequestSchema, SubmitResultSchema } from './messages/submit';
import {
  AuditListReplySchema,
  AuditListSchema,
  AuditRecordReplySchema,
  AuditRecordRequestSchema,
  AuditVerifyReplySchema,
  AuditVerifySchema,
  AdminTokenRevokedSchema,
  AuthenticateReplySchema,
  AuthenticateSchema,
  CertificateStatusSchema,
  CertStatusRequestSchema,
  CreateTokenReplySchema,
  CreateTokenSchema,
  DenyRequestSchema,
  GetCertificateSchema,
  GetRequestSchema,
  ImportCertificateRequestSchema,
  ListModulesSchema,
  ModuleListSchema,
  ReleaseRequestSchema,
  RequestDetailSchema,
  ResubmitRequestSchema,
  RevokeRequestSchema,
  RevokeTokenReplySchema,
  RevokeTokenSchema,
  SetAttributesRequestSchema,
  SetExtensionRequestSchema,
  ViewReplySchema,
  ViewRequestSchema,
} from './messages/admin';
import {
  DeadLetterListReplySchema,
  DeadLetterListRequestSchema,
  DeadLetterReplayReplySchema,
  DeadLetterReplayRequestSchema,
  DeadLetterReplayAllReplySchema,
  DeadLetterReplayAllRequestSchema,
  DeadLetterDiscardReplySchema,
  DeadLetterDiscardRequestSchema,
  ExitStatusReplySchema,
  ExitStatusRequestSchema,
  ExitInitializeReplySchema,
  ExitInitializeRequestSchema,
  ExitReadReplySchema,
  ExitReadRequestSchema,
} from './messages/exit';
import {
  CheckEnrollmentSecretSchema,
  CreateEnrollmentSecretReplySchema,
  CreateEnrollmentSecretSchema,
  EnrollmentSecretBindingSchema,
  ListEnrollmentSecretsReplySchema,
  ListEnrollmentSecretsSchema,
  RevokeEnrollmentSecretReplySchema,
  RevokeEnrollmentSecretSchema,
} from './messages/enrollment-secret';
import {
  CrlFetchReplySchema,
  EnrolleeRevokeRequestSchema,
  CrlFetchRequestSchema,
  OcspRespondReplySchema,
  OcspRespondRequestSchema,
  PublishCrlReplySchema,
  PublishCrlRequestSchema,
} from './messages/revocation';

/**
 * Every subject Signet uses, defined once. Fixed tokens first, the CA name
 * second, so `ca.<ca>.>` or `policy.<ca>.>` grants or filters one CA.
 * No app concatenates a subject: they call these builders.
 */
export interface Command<Req extends z.ZodType, Rep extends z.ZodType> {
  /** Logical name, also the Nest message pattern. */
  readonly name: string;
  /** The subject for one CA. */
  subject(ca: string): string;
  /** Wildcard over all CAs (for permissions and monitoring). */
  readonly wildcard: string;
  readonly request: Req;
  readonly reply: Rep;
  /** Queue group of the serving service, so replicas share the load. */
  readonly queue: string;
}

function command<Req extends z.ZodType, Rep extends z.ZodType>(
  name: string,
  prefix: 'ca' | 'policy' | 'exit',
  tail: string,
  queue: string,
  request: Req,
  reply: Rep,
): Command<Req, Rep> {
  return {
    name,
    subject: (ca: string) => `${prefix}.${assertCaName(ca)}.${tail}`,
    wildcard: `${prefix}.*.${tail}`,
    request,
    reply,
    queue,
  };
}

const CA_CORE_QUEUE = 'signet-ca-core';
const POLICY_QUEUE = 'signet-policy';
const EXIT_QUEUE = 'signet-exit-service';

export const Commands = {
  /** ICertRequest::Submit from a front door: anonymous, or the identity it signed (ADR 0026). */
  submit: command('ca.request.submit', 'ca', 'request.submit', CA_CORE_QUEUE, SubmitRequestSchema, SubmitResultSchema),
  /**
   * ICertRequest::Submit from a service on the bus, which is its NATS user:
   * `ca.<ca>.request.submit.bus.<user>` (BusSubmit builds and reads it).
   * Served on the wildcard; a sender publishes on its own subject only.
   */
  submitBus: command('ca.request.submit.bus', 'ca', 'request.submit.bus.*', CA_CORE_QUEUE, SubmitRequestSchema, SubmitResultSchema),
  /** ICertRequest::RetrievePending */
  retrieve: command('ca.request.retrieve', 'ca', 'request.retrieve', CA_CORE_QUEUE, RetrieveRequestSchema, RequestResultSchema),
  /** A front door revokes a certificate for its requester (ACME revokeCert, ADR 0035): the identity assertion says how it showed the right. */
  enrolleeRevoke: command('ca.request.revoke', 'ca', 'request.revoke', CA_CORE_QUEUE, EnrolleeRevokeRequestSchema, CertificateStatusSchema),
  /** ICertRequest::GetCACertificate */
  caCertificate: command('ca.ca.certificate', 'ca', 'ca.certificate', CA_CORE_QUEUE, CaCertificateRequestSchema, CaCertificateReplySchema),
  /** A front door reads one certificate by serial (SCEP GetCert, ADR 0040); read-only, the certificate alone. */
  certificateBySerial: command('ca.certificate.get', 'ca', 'certificate.get', CA_CORE_QUEUE, CertificateBySerialRequestSchema, CertificateBySerialReplySchema),
  /** ICertRequest::GetCAProperty */
  caProperties: command('ca.ca.properties', 'ca', 'ca.properties', CA_CORE_QUEUE, CaPropertiesRequestSchema, CaPropertiesReplySchema),
  /** A module announcing itself (late start, or answering ca-core's roll call). */
  moduleRegister: command('ca.module.register', 'ca', 'module.register', CA_CORE_QUEUE, ModuleRegisterSchema, ModuleRecordSchema),
  /** ICertPolicy::Initialize */
  policyInit: command('policy.init', 'policy', 'init', POLICY_QUEUE, PolicyInitRequestSchema, PolicyInitReplySchema),
  /** ICertPolicy::VerifyRequest */
  policyVerify: command('policy.verify', 'policy', 'verify', POLICY_QUEUE, PolicyVerifyRequestSchema, PolicyVerifyReplySchema),

  // ICertAdmin / ICertView: admin-api → ca-core. Only admin-api may publish on ca.*.admin.>.
  adminResubmit: command('ca.admin.resubmit', 'ca', 'admin.request.resubmit', CA_CORE_QUEUE, ResubmitRequestSchema, RequestResultSchema),
  adminDeny: command('ca.admin.deny', 'ca', 'admin.request.deny', CA_CORE_QUEUE, DenyRequestSchema, RequestResultSchema),
  adminSetAttributes: command('ca.admin.set-attributes', 'ca', 'admin.request.set-attributes', CA_CORE_QUEUE, SetAttributesRequestSchema, RequestDetailSchema),
  adminSetExtension: command('ca.admin.set-extension', 'ca', 'admin.request.set-extension', CA_CORE_QUEUE, SetExtensionRequestSchema, RequestDetailSchema),
  adminGetRequest: command('ca.admin.get-request', 'ca', 'admin.request.get', CA_CORE_QUEUE, GetRequestSchema, RequestDetailSchema),
  adminRevoke: command('ca.admin.revoke', 'ca', 'admin.certificate.revoke', CA_CORE_QUEUE, RevokeRequestSchema, CertificateStatusSchema),
  adminRelease: command('ca.admin.release', 'ca', 'admin.certificate.release', CA_CORE_QUEUE, ReleaseRequestSchema, CertificateStatusSchema),
  /** ICertAdmin::ImportCertificate; answers the new request row, disposition issued. */
  adminImportCertificate: command('ca.admin.import-certificate', 'ca', 'admin.certificate.import', CA_CORE_QUEUE, ImportCertificateRequestSchema, RequestDetailSchema),
  adminCertStatus: command('ca.admin.cert-status', 'ca', 'admin.certificate.status', CA_CORE_QUEUE, CertStatusRequestSchema, CertificateStatusSchema),
  adminGetCertificate: command('ca.admin.get-certificate', 'ca', 'admin.certificate.get', CA_CORE_QUEUE, GetCertificateSchema, RequestDetailSchema),
  adminView: command('ca.admin.view', 'ca', 'admin.view', CA_CORE_QUEUE, ViewRequestSchema, ViewReplySchema),
  adminModules: command('ca.admin.modules', 'ca', 'admin.modules', CA_CORE_QUEUE, ListModulesSchema, ModuleListSchema),
  adminAuditList: command('ca.admin.audit-list', 'ca', 'admin.audit.list', CA_CORE_QUEUE, AuditListSchema, AuditListReplySchema),
  /** An admin action served by another service (dead letters), recorded here first. */
  adminAuditRecord: command('ca.admin.audit-record', 'ca', 'admin.audit.record', CA_CORE_QUEUE, AuditRecordRequestSchema, AuditRecordReplySchema),
  adminAuditVerify: command('ca.admin.audit-verify', 'ca', 'admin.audit.verify', CA_CORE_QUEUE, AuditVerifySchema, AuditVerifyReplySchema),
  adminAuthenticate: command('ca.admin.authenticate', 'ca', 'admin.auth.authenticate', CA_CORE_QUEUE, AuthenticateSchema, AuthenticateReplySchema),
  adminCreateToken: command('ca.admin.create-token', 'ca', 'admin.auth.create-token', CA_CORE_QUEUE, CreateTokenSchema, CreateTokenReplySchema),
  /** Revokes an admin token at once; ca-core announces it on AdminTokenRevoked. */
  adminRevokeToken: command('ca.admin.revoke-token', 'ca', 'admin.auth.revoke-token', CA_CORE_QUEUE, RevokeTokenSchema, RevokeTokenReplySchema),
  /** Enrollment secrets (ADR 0032): an officer creates, lists and revokes them through admin-api. */
  adminCreateEnrollmentSecret: command('ca.admin.enrollment-secret.create', 'ca', 'admin.enrollment-secret.create', CA_CORE_QUEUE, CreateEnrollmentSecretSchema, CreateEnrollmentSecretReplySchema),
  adminListEnrollmentSecrets: command('ca.admin.enrollment-secret.list', 'ca', 'admin.enrollment-secret.list', CA_CORE_QUEUE, ListEnrollmentSecretsSchema, ListEnrollmentSecretsReplySchema),
  adminRevokeEnrollmentSecret: command('ca.admin.enrollment-secret.revoke', 'ca', 'admin.enrollment-secret.revoke', CA_CORE_QUEUE, RevokeEnrollmentSecretSchema, RevokeEnrollmentSecretReplySchema),
  /** intermediary → ca-core: does a presented enrollment secret hold? Only the intermediary's NATS user may publish it. */
  enrollmentSecretCheck: command('ca.enrollment-secret.check', 'ca', 'enrollment-secret.check', CA_CORE_QUEUE, CheckEnrollmentSecretSchema, EnrollmentSecretBindingSchema),

  /** ICertAdmin::PublishCRL(s): a base or delta CRL now. */
  adminPublishCrl: command('ca.admin.publish-crl', 'ca', 'admin.crl.publish', CA_CORE_QUEUE, PublishCrlRequestSchema, PublishCrlReplySchema),
  /** Revocation status for the HTTP edge: the current CRLs (in slices) and signed OCSP responses. */
  crlFetch: command('ca.crl.fetch', 'ca', 'crl.fetch', CA_CORE_QUEUE, CrlFetchRequestSchema, CrlFetchReplySchema),
  ocspRespond: command('ca.ocsp.respond', 'ca', 'ocsp.respond', CA_CORE_QUEUE, OcspRespondRequestSchema, OcspRespondReplySchema),

  /** ICertServerExit: read-only read-back for exit modules. */
  exitRead: command('ca.exit.read', 'ca', 'exit.read', CA_CORE_QUEUE, ExitReadRequestSchema, ExitReadReplySchema),
  /** Dead letters of exit-service, listed and replayed through admin-api. */
  deadLetterList: command('exit.deadletters.list', 'exit', 'deadletters.list', EXIT_QUEUE, DeadLetterListRequestSchema, DeadLetterListReplySchema),
  deadLetterReplay: command('exit.deadletters.replay', 'exit', 'deadletters.replay', EXIT_QUEUE, DeadLetterReplayRequestSchema, DeadLetterReplayReplySchema),
  deadLetterDiscard: command('exit.deadletters.discard', 'exit', 'deadletters.discard', EXIT_QUEUE, DeadLetterDiscardRequestSchema, DeadLetterDiscardReplySchema),
  deadLetterReplayAll: command('exit.deadletters.replay-all', 'exit', 'deadletters.replay-all', EXIT_QUEUE, DeadLetterReplayAllRequestSchema, DeadLetterReplayAllReplySchema),
  /** How far behind exit-service's modules are (their consumers and dead letters). */
  exitStatus: command('exit.status', 'exit', 'status', EXIT_QUEUE, ExitStatusRequestSchema, ExitStatusReplySchema),
} as const;
export type CommandName = keyof typeof Commands;

/** A NATS user name that can be a subject token: letters, digits, `_` and `-`, 1–64 characters. */
export const BUS_USER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function assertBusUser(user: string): string {
  if (!BUS_USER_PATTERN.test(user)) throw new Error(`invalid bus user "${user}": must match ${BUS_USER_PATTERN.source}`);
  return user;
}

/**
 * The bus submitter's subject (ADR 0026). The shipped NATS configuration
 * lets each submitter user publish on its own subject only, so the broker
 * vouches for the last token: ca-core takes the requester from it
 * (`{method: 'bus', principal: <user>}`) and from nowhere else. This is
 * the one place a subject token is read back.
 */
export const BusSubmit = {
  /** The subject user `user` publishes its submits on. */
  subject: (ca: string, user: string): string => `ca.${assertCaName(ca)}.request.submit.bus.${assertBusUser(user)}`,
  /** The user a message on `subject` came from, for CA `ca`; undefined when the subject is not a bus submit of that CA. */
  userOf(ca: string, subject: string): string | undefined {
    const prefix = `ca.${assertCaName(ca)}.request.submit.bus.`;
    if (!subject.startsWith(prefix)) return undefined;
    const user = subject.slice(prefix.length);
    return BUS_USER_PATTERN.test(user) ? user : undefined;
  },
  /** What a submitter user may publish on, for its NATS permissions (every CA). */
  permission: (user: string): string => `ca.*.request.submit.bus.${assertBusUser(user)}`,
} as const;

/**
 * ICertConfig: discovery is scatter-gather, not queue-grouped — every CA on
 * the bus answers with its record and the caller collects them.
 */
export const Discovery = {
  name: 'signet.discovery',
  subject: 'signet.discovery.cas',
  request: DiscoveryRequestSchema,
  reply: CaRecordSchema,
} as const;

/**
 * ICertExit::Initialize as a roll call: at start ca-core asks on this subject
 * and collects every exit module's registration (scatter-gather, no queue
 * group: each module process answers; replicas of one module answer alike).
 */
export const ExitRollCall = {
  name: 'exit.initialize',
  subject: (ca: string) => `exit.${assertCaName(ca)}.initialize`,
  wildcard: 'exit.*.initialize',
  request: ExitInitializeRequestSchema,
  reply: ExitInitializeReplySchema,
} as const;

/** Durable events (JetStream). */
export const Events = {
  stream: 'SIGNET_EVENTS',
  /** Everything the stream captures. */
  streamSubjects: ['ca.*.events.>'],
  subject: (ca: string, event: ExitEvent) => `ca.${assertCaName(ca)}.events.${event}`,
  /** All events of one CA. */
  allOfCa: (ca: string) => `ca.${assertCaName(ca)}.events.>`,
  /** Every certificate.* event of one CA (issued, revoked, released...): what changes a status. */
  certificateEventsOfCa: (ca: string) => `ca.${assertCaName(ca)}.events.certificate.>`,
} as const;

/**
 * Where each service receives its replies: an inbox prefix of its own
 * (`_INBOX_<SERVICE>`), so that the NATS permissions can let each service
 * subscribe to its own replies only. With one shared `_INBOX.>` any service
 * could read every other's replies (an admin token ca-core just created,
 * say).
 */
export const SERVICES = ['ca-core', 'policy-service', 'intermediary', 'admin-api', 'exit-service'] as const;
export type ServiceName = (typeof SERVICES)[number];
export const Inboxes = {
  prefix: (service: ServiceName) => `_INBOX_${service.toUpperCase().replace(/-/g, '_')}`,
  /** What a service's NATS user may subscribe to for its replies. */
  subscription: (service: ServiceName) => `${Inboxes.prefix(service)}.>`,
} as const;

/**
 * An admin token was revoked (ADR 0024): every admin-api replica drops what
 * it cached (core subscription, no queue group). Published through ca-core's
 * outbox into the event stream, so it is on the events branch; it is not
 * an exit event and no exit module consumes it.
 */
export const AdminTokenRevoked = {
  name: 'ca.admin-token.revoked',
  subject: (ca: string) => `ca.${assertCaName(ca)}.events.admin-token.revoked`,
  wildcard: 'ca.*.events.admin-token.revoked',
  message: AdminTokenRevokedSchema,
} as const;

/** Every subject pattern, for docs and permission files. */
export function allSubjectPatterns(): string[] {
  return [
    ...Object.values(Commands).map((c) => c.wildcard),
    Discovery.subject,
    ExitRollCall.wildcard,
    ...Events.streamSubjects,
    AdminTokenRevoked.wildcard,
  ];
}
