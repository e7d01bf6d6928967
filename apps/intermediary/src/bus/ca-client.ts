import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import { BusClient } from '@signet/bus';
import {
  Commands,
  ErrorCode,
  isSignetError,
  SignetError,
  type CaCertificateReply,
  type CaPropertiesReply,
  type CaPropertyName,
  type CertificateBySerialReply,
  type CertificateStatus,
  type EnrolleeRevokeRequest,
  type RequestResult,
  type RetrieveRequest,
  type SubmitRequest,
  type SubmitResult,
} from '@signet/contracts';
import { CONFIG, type IntermediaryConfig } from '../config/config';

/** DI token for the process's one NATS connection. */
export const NATS_CONNECTION = Symbol('NatsConnection');

/**
 * The narrow view of ca-core the intermediary needs (ICertRequest): submit,
 * retrieve, revoke, two CA reads and a certificate read by serial. Callers never see a raw bus client or subject.
 */
@Injectable()
export class CaClient {
  private readonly bus: BusClient;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(CONFIG) config: IntermediaryConfig,
  ) {
    this.bus = new BusClient(nc, config.caTimeoutMs);
  }

  /** ICertRequest::Submit; the answer carries the request's retrieval secret. */
  submit(ca: string, request: SubmitRequest): Promise<SubmitResult> {
    return this.bus.call(Commands.submit, ca, request).catch(rethrowPublic(ca));
  }

  /** ICertRequest::RetrievePending, with what shows the caller owns the request. */
  retrieve(ca: string, request: RetrieveRequest): Promise<RequestResult> {
    return this.bus.call(Commands.retrieve, ca, request).catch(rethrowPublic(ca));
  }

  /** RevokeCertificate for an enrollee (ACME revokeCert, ADR 0035), with the front door's assertion of who revokes and how they showed the right. */
  revoke(ca: string, request: EnrolleeRevokeRequest): Promise<CertificateStatus> {
    return this.bus.call(Commands.enrolleeRevoke, ca, request).catch(rethrowPublic(ca));
  }

  /** ICertRequest::GetCACertificate */
  caCertificate(ca: string, chain: boolean): Promise<CaCertificateReply> {
    return this.bus.call(Commands.caCertificate, ca, { chain }).catch(rethrowPublic(ca));
  }

  /** One certificate of the CA by serial (SCEP GetCert); NOT_FOUND when it has none. */
  certificateBySerial(ca: string, serial: string): Promise<CertificateBySerialReply> {
    return this.bus.call(Commands.certificateBySerial, ca, { serial }).catch(rethrowPublic(ca));
  }

  /** ICertRequest::GetCAProperty */
  caProperties(ca: string, names?: CaPropertyName[]): Promise<CaPropertiesReply> {
    return this.bus.call(Commands.caProperties, ca, names ? { names } : {}).catch(rethrowPublic(ca));
  }
}

/**
 * Bus errors in the words a client may see. Subject names stay inside; a
 * BAD_MESSAGE here means we built a message the CA (or the contract) refuses,
 * which is our fault, not the client's.
 */
export function toPublicError(e: unknown, ca: string): unknown {
  if (!isSignetError(e)) return e;
  if (e.code === ErrorCode.CaUnavailable) {
    return new SignetError(ErrorCode.CaUnavailable, `CA "${ca}" did not answer; retry later`, { ca });
  }
  if (e.code === ErrorCode.BadMessage) {
    return new SignetError(ErrorCode.Internal, `the bus refused our message to CA "${ca}": ${e.message}`);
  }
  // The CA refused the identity this front door signed (its key is not in ca-core's SIGNET_FRONT_DOOR_KEYS, the clocks disagree): a fault here, not the client's credential.
  if (e.code === ErrorCode.Unauthorized) {
    return new SignetError(ErrorCode.Internal, `CA "${ca}" refused this front door's identity assertion: ${e.message}`);
  }
  return e;
}

function rethrowPublic(ca: string): (e: unknown) => never {
  return (e) => {
    throw toPublicError(e, ca);
  };
}
