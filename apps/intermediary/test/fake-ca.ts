import { type NatsConnection } from '@nats-io/transport-node';
import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { createBusMicroservice } from '@signet/bus';
import {
  Commands,
  CR_DISP,
  Discovery,
  type CaCertificateReply,
  type CaPropertiesReply,
  type CaRecord,
  type CertificateStatus,
  type EnrolleeRevokeRequestParsed,
  type Disposition,
  type EnrollmentSecretBinding,
  ErrorCode,
  SignetError,
  type RequestResult,
  type RetrieveRequestParsed,
  type SubmitRequestParsed,
  type SubmitResult,
} from '@signet/contracts';

export const FAKE_PEM = (label: string, body = 'AAAA') => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

type Handler<Req, Rep> = (req: Req) => Rep | Promise<Rep>;

/**
 * Plays ca-core on real NATS for one CA name. Tests set what each command
 * answers and read what was submitted; there are no magic ids.
 */
export class FakeCa {
  /** The retrieval secret submitted() answers. */
  static readonly SECRET = `sgr_${'FakeRetrievalSecret'.padEnd(43, '0')}`;
  readonly submits: SubmitRequestParsed[] = [];
  /** Every retrieve message as it arrived (id, secret, requester). */
  readonly retrieves: RetrieveRequestParsed[] = [];
  onSubmit: Handler<SubmitRequestParsed, SubmitResult> = () => FakeCa.submitted(1, 'issued');
  onRetrieve: Handler<RetrieveRequestParsed, RequestResult> = (r) => FakeCa.result(r.requestId, 'pending');
  onCaCertificate: Handler<{ chain: boolean }, CaCertificateReply> = (r) => ({
    certificate: FAKE_PEM('CERTIFICATE', 'Q0E='),
    ...(r.chain ? { chain: [FAKE_PEM('CERTIFICATE', 'Q0E='), FAKE_PEM('CERTIFICATE', 'Uk9PVA==')] } : {}),
  });
  onCaProperties: Handler<{ names?: string[] }, CaPropertiesReply> = (r) => ({
    properties: Object.fromEntries((r.names ?? ['CAName']).map((n) => [n, n === 'CAName' ? this.name : null])),
  });
  /** Every enrollment-secret check as it arrived (id and secret as presented). */
  readonly secretChecks: { id: string; secret: string }[] = [];
  /** Refuses every secret, as ca-core refuses one it does not hold; tests set what holds. */
  onSecretCheck: Handler<{ id: string; secret: string }, EnrollmentSecretBinding> = () => {
    throw new SignetError(ErrorCode.Unauthorized, 'enrollment secret not accepted', { reason: 'invalid_enrollment_secret' });
  };
  /** Every enrollee revocation as it arrived. */
  readonly revokes: EnrolleeRevokeRequestParsed[] = [];
  onRevoke: Handler<EnrolleeRevokeRequestParsed, CertificateStatus> = (r) => ({ serial: r.serial, status: 'revoked', caDisposition: 2, reason: r.reason });
  /** Whether the CA says it initialized its policy module (`online`) or not (`no-policy`). */
  policyReady = true;
  /** The CA certificate discovery announces (a real one where a test checks signatures). */
  certificate = FAKE_PEM('CERTIFICATE', 'Q0E=');
  private app?: INestMicroservice;

  constructor(
    readonly name: string,
    readonly isDefault = false,
  ) {}

  get record(): CaRecord {
    return {
      name: this.name,
      config: `fakehost\\${this.name}`,
      commonName: `Fake ${this.name}`,
      sanitizedName: `Fake ${this.name}`,
      description: 'a fake CA for intermediary tests',
      status: this.policyReady ? 'online' : 'no-policy',
      isDefault: this.isDefault,
      certificate: this.certificate,
      notAfter: '2035-01-01T00:00:00Z',
      policy: this.policyReady ? { name: 'fake-policy', version: '0' } : null,
    };
  }

  /** A RequestResult as ca-core would send it for a disposition. */
  static result(requestId: number, disposition: Disposition, extra: Partial<RequestResult> = {}): RequestResult {
    const issued = disposition === 'issued' || disposition === 'revoked';
    return {
      requestId,
      disposition,
      dispositionCode: CR_DISP[disposition],
      message: `fake ${disposition}`,
      ...(issued ? { certificate: FAKE_PEM('CERTIFICATE', 'TEVBRg=='), chain: [FAKE_PEM('CERTIFICATE', 'Q0E=')], serial: '0a1b2c3d4e5f6071' } : {}),
      ...extra,
    };
  }

  /** A submit's answer: the result and the retrieval secret. */
  static submitted(requestId: number, disposition: Disposition, extra: Partial<RequestResult> = {}): SubmitResult {
    return { ...FakeCa.result(requestId, disposition, extra), retrievalSecret: FakeCa.SECRET };
  }

  /** Serves every ca-core command and discovery; `discoveryOnly` answers discovery alone (a CA whose core is down). */
  async start(nc: NatsConnection, opts: { discoveryOnly?: boolean } = {}): Promise<this> {
    const controller = opts.discoveryOnly ? DiscoveryOnlyController : FakeCaController;
    @Module({ controllers: [controller], providers: [{ provide: FakeCa, useValue: this }] })
    class FakeCaModule {}
    this.app = await createBusMicroservice(FakeCaModule, { connection: nc, ca: this.name, logger: false });
    await this.app.listen();
    return this;
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }
}

@Controller()
class DiscoveryOnlyController {
  constructor(@Inject(FakeCa) protected readonly ca: FakeCa) {}

  @MessagePattern(Discovery.name)
  discovery(): CaRecord {
    return this.ca.record;
  }
}

@Controller()
class FakeCaController extends DiscoveryOnlyController {
  @MessagePattern(Commands.submit.name)
  submit(@Payload() req: SubmitRequestParsed) {
    this.ca.submits.push(req);
    return this.ca.onSubmit(req);
  }

  @MessagePattern(Commands.retrieve.name)
  retrieve(@Payload() req: RetrieveRequestParsed) {
    this.ca.retrieves.push(req);
    return this.ca.onRetrieve(req);
  }

  @MessagePattern(Commands.enrolleeRevoke.name)
  revoke(@Payload() req: EnrolleeRevokeRequestParsed) {
    this.ca.revokes.push(req);
    return this.ca.onRevoke(req);
  }

  @MessagePattern(Commands.caCertificate.name)
  caCertificate(@Payload() req: { chain: boolean }) {
    return this.ca.onCaCertificate(req);
  }

  @MessagePattern(Commands.enrollmentSecretCheck.name)
  secretCheck(@Payload() req: { id: string; secret: string }) {
    this.ca.secretChecks.push(req);
    return this.ca.onSecretCheck(req);
  }

  @MessagePattern(Commands.caProperties.name)
  caProperties(@Payload() req: { names?: string[] }) {
    return this.ca.onCaProperties(req);
  }
}
