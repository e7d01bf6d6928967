import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import { BusClient } from '@signet/bus';
import {
  Commands,
  ErrorCode,
  isSignetError,
  SignetError,
  type CaCertificateReply,
  type CrlFetchReply,
  type CrlFetchRequest,
  type OcspRespondReply,
} from '@signet/contracts';
import { NATS_CONNECTION } from '../bus/ca-client';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { DiscoveryService } from '../discovery/discovery.service';

/** What a revocation route answers for a CA name no CA has on the bus: 404 NOT_FOUND, not 503. */
export class UnknownCaError extends SignetError {
  constructor(ca: string) {
    super(ErrorCode.NotFound, `no CA named "${ca}" is known`, { ca });
  }
}

/**
 * The narrow view of ca-core revocation status needs: CRL slices, OCSP
 * responses, the CA certificate. When no ca-core answers, it tells an
 * unknown CA (UnknownCaError, 404 NOT_FOUND) from one that exists and is away
 * (CA_UNAVAILABLE): only the failure path asks discovery.
 */
@Injectable()
export class RevocationClient {
  private readonly bus: BusClient;
  /** CAs that answered a call here (real ones only, so bounded): away later means unavailable. */
  private readonly answered = new Set<string>();

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(CONFIG) config: IntermediaryConfig,
    private readonly discovery: DiscoveryService,
  ) {
    this.bus = new BusClient(nc, config.caTimeoutMs);
  }

  crl(ca: string, req: CrlFetchRequest): Promise<CrlFetchReply> {
    return this.orUnknown(ca, this.bus.call(Commands.crlFetch, ca, req));
  }

  ocsp(ca: string, der: Buffer): Promise<OcspRespondReply> {
    return this.orUnknown(ca, this.bus.call(Commands.ocspRespond, ca, { request: der.toString('base64') }));
  }

  caCertificate(ca: string): Promise<CaCertificateReply> {
    return this.orUnknown(ca, this.bus.call(Commands.caCertificate, ca, { chain: false }));
  }

  private async orUnknown<T>(ca: string, call: Promise<T>): Promise<T> {
    try {
      const reply = await call;
      this.answered.add(ca);
      return reply;
    } catch (e) {
      if (isSignetError(e) && e.code === ErrorCode.CaUnavailable && !this.answered.has(ca) && !(await this.discovery.known(ca))) throw new UnknownCaError(ca);
      throw e;
    }
  }
}
