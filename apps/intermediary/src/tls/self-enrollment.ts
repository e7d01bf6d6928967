import { ErrorCode, SignetError, type SubmitResult } from '@signet/contracts';
import { createCsr, generateKeyPair, toPem } from '@signet/x509';
import { type CaClient } from '../bus/ca-client';
import { credentialsOf, type TlsCredentials } from './credentials';
import { type FrontDoorSigner } from '../auth/front-door-signer';
import { selfEnrollmentSubmit } from './service-identity';
import { type TlsConfig } from './tls.config';

/** A request of ours a certificate manager has yet to approve: read back instead of asking again. */
interface Pending {
  ca: string;
  requestId: number;
  retrievalSecret: string;
  key: string;
}

/**
 * The intermediary asks its CA for its own TLS certificate (ADR 0029): a
 * fresh key made here for every certificate (it never leaves the process
 * and is never written), a PKCS#10 request for the configured names under
 * the configured template. A request that pends is read back on the next
 * attempt rather than submitted again.
 */
export class SelfEnrollment {
  private pending?: Pending;

  constructor(
    private readonly cas: CaClient,
    private readonly tls: Pick<TlsConfig, 'names' | 'template' | 'keyAlgorithm'>,
    private readonly signer: FrontDoorSigner,
  ) {}

  async attempt(ca: string): Promise<TlsCredentials> {
    if (this.pending?.ca === ca) {
      const p = this.pending;
      const result = await this.cas.retrieve(ca, { requestId: p.requestId, retrievalSecret: p.retrievalSecret });
      return this.outcome(ca, { ...result, retrievalSecret: p.retrievalSecret }, p.key);
    }
    const { privateKey } = generateKeyPair(this.tls.keyAlgorithm);
    const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const first = this.tls.names.find((n) => n.type === 'dns') ?? this.tls.names[0];
    const csr = await createCsr({ subject: [{ type: 'CN', value: first.value }], sans: [...this.tls.names], privateKey });
    const result = await this.cas.submit(ca, await selfEnrollmentSubmit(this.signer, ca, toPem(csr, 'CERTIFICATE REQUEST'), this.tls.names, this.tls.template));
    return this.outcome(ca, result, key);
  }

  private outcome(ca: string, result: SubmitResult, key: string): TlsCredentials {
    if (result.disposition === 'issued' && result.certificate) {
      this.pending = undefined;
      const chain = result.chain ?? [];
      return credentialsOf(key, [result.certificate, ...chain], 'self-issued', chain);
    }
    if (result.disposition === 'pending') {
      this.pending = { ca, requestId: result.requestId, retrievalSecret: result.retrievalSecret, key };
      throw new SignetError(ErrorCode.InProgress, `request ${result.requestId} at CA "${ca}" waits for a certificate manager's approval`, { requestId: result.requestId }, true);
    }
    this.pending = undefined;
    const rule = result.decidedBy ? ` (rule ${result.decidedBy.rule}${result.decidedBy.value ? `: ${result.decidedBy.value}` : ''})` : '';
    throw new SignetError(ErrorCode.RequestDenied, `CA "${ca}" answered request ${result.requestId} ${result.disposition}: ${result.message}${rule}`, { requestId: result.requestId });
  }
}
