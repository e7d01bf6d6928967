import { z } from 'zod';
import { assertCaName } from './ca-name';
import { type ExitEvent } from './enums/events';
import {
  CaCertificateReplySchema,
  CaCertificateRequestSchema,
  CaPropertiesReplySchema,
  CaPropertiesRequestSchema,
  CaRecordSchema,
  DiscoveryRequestSchema,
} from './messages/ca';
import { ModuleRecordSchema, ModuleRegisterSchema } from './messages/modules';
import {
  PolicyInitReplySchema,
  PolicyInitRequestSchema,
  PolicyVerifyReplySchema,
  PolicyVerifyRequestSchema,
} from './messages/policy';
import { RequestResultSchema, RetrieveRequestSchema, SubmitRequestSchema } from './messages/submit';

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
  prefix: 'ca' | 'policy',
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

export const Commands = {
  /** ICertRequest::Submit */
  submit: command('ca.request.submit', 'ca', 'request.submit', CA_CORE_QUEUE, SubmitRequestSchema, RequestResultSchema),
  /** ICertRequest::RetrievePending */
  retrieve: command('ca.request.retrieve', 'ca', 'request.retrieve', CA_CORE_QUEUE, RetrieveRequestSchema, RequestResultSchema),
  /** ICertRequest::GetCACertificate */
  caCertificate: command('ca.ca.certificate', 'ca', 'ca.certificate', CA_CORE_QUEUE, CaCertificateRequestSchema, CaCertificateReplySchema),
  /** ICertRequest::GetCAProperty */
  caProperties: command('ca.ca.properties', 'ca', 'ca.properties', CA_CORE_QUEUE, CaPropertiesRequestSchema, CaPropertiesReplySchema),
  /** A module announcing itself (late start, or answering ca-core's roll call). */
  moduleRegister: command('ca.module.register', 'ca', 'module.register', CA_CORE_QUEUE, ModuleRegisterSchema, ModuleRecordSchema),
  /** ICertPolicy::Initialize */
  policyInit: command('policy.init', 'policy', 'init', POLICY_QUEUE, PolicyInitRequestSchema, PolicyInitReplySchema),
  /** ICertPolicy::VerifyRequest */
  policyVerify: command('policy.verify', 'policy', 'verify', POLICY_QUEUE, PolicyVerifyRequestSchema, PolicyVerifyReplySchema),
} as const;
export type CommandName = keyof typeof Commands;

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

/** Durable events (JetStream). */
export const Events = {
  stream: 'SIGNET_EVENTS',
  /** Everything the stream captures. */
  streamSubjects: ['ca.*.events.>'],
  subject: (ca: string, event: ExitEvent) => `ca.${assertCaName(ca)}.events.${event}`,
  /** All events of one CA. */
  allOfCa: (ca: string) => `ca.${assertCaName(ca)}.events.>`,
} as const;

/** Every subject pattern, for docs and permission files. */
export function allSubjectPatterns(): string[] {
  return [
    ...Object.values(Commands).map((c) => c.wildcard),
    Discovery.subject,
    ...Events.streamSubjects,
  ];
}
