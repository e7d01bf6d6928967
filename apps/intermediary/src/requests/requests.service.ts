import { Injectable } from '@nestjs/common';
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
  ) {}

  async submit(raw: RawSubmit, requester: string): Promise<RequestAnswer> {
    const input = parseSubmit(raw);
    const ca = (await this.discovery.resolve(input.ca)).name;
    const result = await this.cas.submit(ca, {
      request: input.request,
      format: 'pkcs10',
      attributes: input.attributes,
      idempotencyKey: input.idempotencyKey,
      requester,
    });
    return { ...submitOutcome(ca, result), ca, requestId: result.requestId };
  }

  /** The CA decides whether the caller owns the request; a stranger and an unknown id get the same 404. */
  async retrieve(requestId: number, requestedCa: string | undefined, who: { secretHeader?: string | string[]; requester: string }): Promise<RequestAnswer> {
    const retrievalSecret = retrievalSecretOf(who.secretHeader);
    const ca = (await this.discovery.resolve(caField(requestedCa))).name;
    const result = await this.cas.retrieve(ca, { requestId, requester: who.requester, ...(retrievalSecret ? { retrievalSecret } : {}) });
    return { ...retrieveOutcome(ca, result), ca, requestId };
  }
}
