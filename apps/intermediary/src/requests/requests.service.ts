import { Injectable } from '@nestjs/common';
import { type Identity } from '@signet/contracts';
import { FrontDoorSigner } from '../auth/front-door-signer';
import { CaClient } from '../bus/ca-client';
import { DiscoveryService } from '../discovery/discovery.service';
import { caField } from '../http/input';
import { retrieveOutcome, submitOutcome, type HttpOutcome } from './outcome';
import { retrievalSecretOf } from './retrieval-secret';
import { parseSubmit, type RawSubmit } from './submit-input';

export interface RequestAnswer extends HttpOutcome {
  /** For the access log. */
  ca: string;
  requestId?: number;
}

/** Enrollment (ICertRequest::Submit / RetrievePending) on behalf of HTTP clients. */
@Injectable()
export class RequestsService {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly cas: CaClient,
    private readonly signer: FrontDoorSigner,
  ) {}

  /** `identity`: who asks, as EnrolleeAuth established it; the CA gets it signed for exactly this message. */
  async submit(raw: RawSubmit, identity: Identity): Promise<RequestAnswer> {
    const input = parseSubmit(raw);
    const ca = (await this.discovery.resolve(input.ca)).name;
    const message = { request: input.request, attributes: input.attributes, idempotencyKey: input.idempotencyKey };
    const result = await this.cas.submit(ca, {
      ...message,
      format: 'pkcs10',
      identityAssertion: await this.signer.submit(ca, identity, message),
    });
    return { ...submitOutcome(ca, result), ca, requestId: result.requestId };
  }

  /** The CA decides whether the caller owns the request; a stranger and an unknown id get the same 404. */
  async retrieve(requestId: number, requestedCa: string | undefined, who: { secretHeader?: string | string[]; identity: Identity }): Promise<RequestAnswer> {
    const retrievalSecret = retrievalSecretOf(who.secretHeader);
    const ca = (await this.discovery.resolve(caField(requestedCa))).name;
    const identityAssertion = await this.signer.retrieve(ca, who.identity, requestId);
    const result = await this.cas.retrieve(ca, { requestId, identityAssertion, ...(retrievalSecret ? { retrievalSecret } : {}) });
    return { ...retrieveOutcome(ca, result), ca, requestId };
  }
}
