import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import { BusClient } from '@signet/bus';
import { Commands, type CaCertificateReply, type CrlFetchReply, type CrlFetchRequest, type OcspRespondReply } from '@signet/contracts';
import { NATS_CONNECTION } from '../bus/ca-client';
import { CONFIG, type IntermediaryConfig } from '../config/config';

/** The narrow view of ca-core revocation status needs: CRL slices, OCSP responses, the CA certificate. */
@Injectable()
export class RevocationClient {
  private readonly bus: BusClient;

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection, @Inject(CONFIG) config: IntermediaryConfig) {
    this.bus = new BusClient(nc, config.caTimeoutMs);
  }

  crl(ca: string, req: CrlFetchRequest): Promise<CrlFetchReply> {
    return this.bus.call(Commands.crlFetch, ca, req);
  }

  ocsp(ca: string, der: Buffer): Promise<OcspRespondReply> {
    return this.bus.call(Commands.ocspRespond, ca, { request: der.toString('base64') });
  }

  caCertificate(ca: string): Promise<CaCertificateReply> {
    return this.bus.call(Commands.caCertificate, ca, { chain: false });
  }
}
