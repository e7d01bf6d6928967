import { type NatsConnection } from '@nats-io/transport-node';
import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { AssertionError, verifyAdminAssertion, type VerifyKeys } from '@signet/assertions';
import { createBusMicroservice, type BusContext } from '@signet/bus';
import { randomUUID } from 'node:crypto';
import {
  AdminAssertion,
  AdminTokenRevoked,
  Commands,
  adminAssertionAudience,
  CR_DISP,
  Discovery,
  ErrorCode,
  SignetError,
  type CaRecord,
  type CertificateStatus,
  type Disposition,
  type EnrollmentSecretRecord,
  type Principal,
  type RequestDetail,
  type RequestResult,
  type ViewRow,
} from '@signet/contracts';

export const FAKE_PEM = (label: string, body = 'AAAA') => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

type CommandName = keyof typeof Commands;
type Handler = (req: any) => unknown;

/**
 * Plays ca-core (and exit-service's dead letters) on real NATS for one CA
 * name. Tokens are registered by hash; each command's answer is set per
 * test, and every message received is kept for assertions. Like ca-core,
 * it believes an admin command only with an admin assertion signed by
 * admin-api's key (ADR 0028), for ca-core's audience or, on a dead-letter
 * command, exit-service's; the actor it records with each message is the
 * one that assertion names.
 */
export class FakeCa {
  readonly calls: { command: CommandName; message: any }[] = [];
  readonly principals = new Map<string, Principal>();
  /** Hashes of revoked tokens (refused as revoked_token, as ca-core does). */
  readonly revokedHashes = new Set<string>();
  /** The revocation epoch, raised by every revocation (ADR 0024). */
  epoch = 0;
  /** Whether a revocation is announced on AdminTokenRevoked (off: a notice that got lost). */
  announce = true;
  readonly handlers: Partial<Record<CommandName, Handler>> = {};
  private app?: INestMicroservice;
  private nc?: NatsConnection;

  constructor(
    readonly name: string,
    /** admin-api's public key, as ca-core's SIGNET_ADMIN_ASSERTION_KEYS. */
    private readonly adminKeys: VerifyKeys,
  ) {}

  /** A message from the bus: an admin command's assertion is verified first, and its actor recorded with the message. */
  async fromBus(command: CommandName, message: any, ctx: BusContext): Promise<unknown> {
    const audience = adminAssertionAudience(Commands[command], this.name);
    if (!audience) return this.handle(command, message);
    let actor;
    try {
      ({ actor } = await verifyAdminAssertion(this.adminKeys, ctx.header(AdminAssertion.header), { ca: this.name, audience, command: ctx.command, body: ctx.body }));
    } catch (e) {
      if (e instanceof AssertionError) throw new SignetError(ErrorCode.Unauthorized, `admin command refused: ${e.message}`, { reason: e.reason });
      throw e;
    }
    return this.handle(command, actor ? { ...message, actor } : message);
  }

  /** Messages received for one command. */
  received(command: CommandName): any[] {
    return this.calls.filter((c) => c.command === command).map((c) => c.message);
  }

  handle(command: CommandName, message: any): unknown {
    this.calls.push({ command, message });
    const h = this.handlers[command] ?? DEFAULTS[command];
    if (!h) throw new SignetError(ErrorCode.Internal, `fake CA has no answer for ${command}`);
    return h.call(this, message);
  }

  static result(requestId: number, disposition: Disposition, extra: Partial<RequestResult> = {}): RequestResult {
    return { requestId, disposition, dispositionCode: CR_DISP[disposition], message: `fake ${disposition}`, ...extra };
  }

  static detail(requestId: number, extra: Partial<RequestDetail> = {}): RequestDetail {
    return {
      requestId,
      disposition: 'pending',
      dispositionCode: CR_DISP.pending,
      message: 'fake pending',
      statusCode: 0,
      decidedBy: null,
      requesterName: 'anonymous',
      identity: null,
      subject: 'CN=fake',
      template: 'CodeSigning',
      submittedAt: '2026-01-01T00:00:00.000Z',
      resolvedAt: null,
      attributesRaw: 'CertificateTemplate:CodeSigning',
      attributes: [],
      extensions: [],
      requestType: 'pkcs10',
      request: FAKE_PEM('CERTIFICATE REQUEST'),
      ...extra,
    };
  }

  static status(serial: string, extra: Partial<CertificateStatus> = {}): CertificateStatus {
    return { serial, status: 'valid', caDisposition: 3, requestId: 1, ...extra };
  }

  static row(id: number, extra: Partial<ViewRow> = {}): ViewRow {
    return {
      RequestID: id,
      Disposition: 'issued',
      RequesterName: 'anonymous',
      CertificateTemplate: 'WebServer',
      Subject: `CN=host${id}.example.com`,
      SerialNumber: id.toString(16).padStart(4, '0'),
      NotBefore: '2026-01-01T00:00:00.000Z',
      NotAfter: '2027-01-01T00:00:00.000Z',
      SubmittedWhen: '2026-01-01T00:00:00.000Z',
      ResolvedWhen: '2026-01-01T00:00:01.000Z',
      RevokedWhen: null,
      RevokedReason: null,
      DispositionMessage: 'issued',
      RequestType: 'pkcs10',
      ...extra,
    };
  }

  static enrollmentSecret(extra: Partial<EnrollmentSecretRecord> = {}): EnrollmentSecretRecord {
    return {
      id: 'es-00112233aabbccdd',
      state: 'active',
      names: [{ type: 'dns', value: 'www.example.com' }],
      template: 'WebServer',
      groups: [],
      note: null,
      createdBy: 'olivia',
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-08T00:00:00.000Z',
      usedAt: null,
      usedByRequestId: null,
      revokedAt: null,
      revokedBy: null,
      ...extra,
    };
  }

  get record(): CaRecord {
    return {
      name: this.name,
      config: `fakehost\\${this.name}`,
      commonName: `Fake ${this.name}`,
      sanitizedName: `Fake ${this.name}`,
      description: 'a fake CA for admin-api tests',
      status: 'online',
      isDefault: false,
      certificate: FAKE_PEM('CERTIFICATE', 'Q0E='),
      notAfter: '2035-01-01T00:00:00Z',
      policy: { name: 'fake-policy', version: '0' },
    };
  }

  /**
   * Revokes every token named `name` as ca-core does: raises the epoch and,
   * unless `announce` is off, publishes the notice (before the caller gets
   * its answer, like ca-core).
   */
  revokeByName(name: string): { name: string; revokedAt: string; epoch: number } {
    const hashes = [...this.principals].filter(([, p]) => p.name === name).map(([h]) => h);
    if (hashes.length === 0) throw new SignetError(ErrorCode.NotFound, `no active admin token named "${name}"`, { name });
    for (const h of hashes) {
      this.principals.delete(h);
      this.revokedHashes.add(h);
    }
    this.epoch += 1;
    const revokedAt = new Date().toISOString();
    if (this.announce) {
      this.nc!.publish(AdminTokenRevoked.subject(this.name), JSON.stringify({ id: randomUUID(), ca: this.name, occurredAt: revokedAt, name, epoch: this.epoch }));
    }
    return { name, revokedAt, epoch: this.epoch };
  }

  async start(nc: NatsConnection): Promise<this> {
    this.nc = nc;
    @Module({ controllers: [FakeCaController], providers: [{ provide: FakeCa, useValue: this }] })
    class FakeCaModule {}
    this.app = await createBusMicroservice(FakeCaModule, { connection: nc, ca: this.name, logger: false });
    await this.app.listen();
    return this;
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }
}

const DEFAULTS: Partial<Record<CommandName, Handler>> = {
  adminAuthenticate(this: FakeCa, m: { tokenSha256: string }) {
    if (this.revokedHashes.has(m.tokenSha256)) throw new SignetError(ErrorCode.Unauthorized, 'this admin token has been revoked', { reason: 'revoked_token' });
    const p = this.principals.get(m.tokenSha256);
    if (!p) throw new SignetError(ErrorCode.Unauthorized, 'unknown token', { reason: 'invalid_token' });
    return { ...p, epoch: this.epoch };
  },
  adminRevokeToken(this: FakeCa, m: { name: string }) {
    return this.revokeByName(m.name);
  },
  adminResubmit: (m) => FakeCa.result(m.requestId, 'issued', { certificate: FAKE_PEM('CERTIFICATE'), serial: '0a0b' }),
  adminDeny: (m) => FakeCa.result(m.requestId, 'denied'),
  adminSetAttributes: (m) => FakeCa.detail(m.requestId),
  adminSetExtension: (m) => FakeCa.detail(m.requestId),
  adminGetRequest: (m) => FakeCa.detail(m.requestId),
  adminRevoke: (m) => FakeCa.status(m.serial, { status: 'revoked', caDisposition: 2, reason: m.reason, revokedAt: '2026-01-02T00:00:00.000Z' }),
  adminRelease: (m) => FakeCa.status(m.serial),
  adminCertStatus: (m) => FakeCa.status(m.serial),
  adminImportCertificate: (m) =>
    FakeCa.detail(41, { disposition: 'issued', requestType: 'imported', request: null, certificate: { serial: '4a5b', pem: m.certificate, notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2026-02-01T00:00:00.000Z', status: FakeCa.status('4a5b') } }),
  adminGetCertificate: () => FakeCa.detail(1, { disposition: 'issued' }),
  adminView: () => ({ rows: [FakeCa.row(1)], nextCursor: null, total: null }),
  adminModules: () => ({ modules: [] }),
  adminAuditList: () => ({ entries: [] }),
  adminAuditVerify: () => ({ ok: true, checked: 0, brokenAt: null }),
  adminCreateToken: (m) => ({ name: m.name, roles: m.roles, token: 'tok-new' }),
  adminCreateEnrollmentSecret: (m) => ({ ...FakeCa.enrollmentSecret({ names: m.names, template: m.template, groups: m.groups, createdBy: m.actor.name }), secret: `es-00112233aabbccdd:${'5e'.repeat(32)}` }),
  adminListEnrollmentSecrets: () => ({ secrets: [FakeCa.enrollmentSecret()] }),
  adminRevokeEnrollmentSecret: (m) => FakeCa.enrollmentSecret({ id: m.id, state: 'revoked', revokedAt: '2026-01-02T00:00:00.000Z', revokedBy: m.actor.name }),
  deadLetterList: () => ({ deadLetters: [] }),
  deadLetterReplay: (m) => ({ id: m.id, replayed: true, result: 'delivered' }),
  adminAuditRecord: () => ({ id: 1, seq: 1 }),
  deadLetterDiscard: (m) => ({ id: m.id, module: 'hook', eventId: 'ev-1', discarded: true }),
  deadLetterReplayAll: (m) => ({ module: m.module, replayed: 2, failed: { id: '9', result: 'failed: answered 503' }, remaining: 5 }),
  exitStatus: () => ({
    modules: [
      {
        name: 'file',
        description: 'files',
        events: [{ event: 'certificate.issued', consumer: 'exit_x_file_certificate-issued', pending: 3, inFlight: 1, redelivered: 0, lastDelivered: '2026-01-02T03:04:05.000Z' }],
        deadLetters: 2,
      },
    ],
  }),
};

/* One handler per admin command, each handing the message to FakeCa. */
@Controller()
class FakeCaController {
  constructor(@Inject(FakeCa) private readonly ca: FakeCa) {}

  @MessagePattern(Discovery.name) discovery() {
    return this.ca.record;
  }
  @MessagePattern(Commands.adminAuthenticate.name) a1(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminAuthenticate', m, ctx);
  }
  @MessagePattern(Commands.adminResubmit.name) a2(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminResubmit', m, ctx);
  }
  @MessagePattern(Commands.adminDeny.name) a3(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminDeny', m, ctx);
  }
  @MessagePattern(Commands.adminSetAttributes.name) a4(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminSetAttributes', m, ctx);
  }
  @MessagePattern(Commands.adminSetExtension.name) a5(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminSetExtension', m, ctx);
  }
  @MessagePattern(Commands.adminGetRequest.name) a6(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminGetRequest', m, ctx);
  }
  @MessagePattern(Commands.adminRevoke.name) a7(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminRevoke', m, ctx);
  }
  @MessagePattern(Commands.adminRelease.name) a8(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminRelease', m, ctx);
  }
  @MessagePattern(Commands.adminImportCertificate.name) aImport(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminImportCertificate', m, ctx);
  }
  @MessagePattern(Commands.adminCertStatus.name) a9(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminCertStatus', m, ctx);
  }
  @MessagePattern(Commands.adminGetCertificate.name) a10(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminGetCertificate', m, ctx);
  }
  @MessagePattern(Commands.adminView.name) a11(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminView', m, ctx);
  }
  @MessagePattern(Commands.adminModules.name) a12(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminModules', m, ctx);
  }
  @MessagePattern(Commands.adminAuditList.name) a13(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminAuditList', m, ctx);
  }
  @MessagePattern(Commands.adminAuditVerify.name) a14(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminAuditVerify', m, ctx);
  }
  @MessagePattern(Commands.adminCreateToken.name) a15(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminCreateToken', m, ctx);
  }
  @MessagePattern(Commands.adminRevokeToken.name) a16(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminRevokeToken', m, ctx);
  }
  @MessagePattern(Commands.adminCreateEnrollmentSecret.name) e1(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminCreateEnrollmentSecret', m, ctx);
  }
  @MessagePattern(Commands.adminListEnrollmentSecrets.name) e2(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminListEnrollmentSecrets', m, ctx);
  }
  @MessagePattern(Commands.adminRevokeEnrollmentSecret.name) e3(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminRevokeEnrollmentSecret', m, ctx);
  }
  @MessagePattern(Commands.deadLetterList.name) d1(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('deadLetterList', m, ctx);
  }
  @MessagePattern(Commands.adminAuditRecord.name) a20(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('adminAuditRecord', m, ctx);
  }
  @MessagePattern(Commands.deadLetterDiscard.name) d5(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('deadLetterDiscard', m, ctx);
  }
  @MessagePattern(Commands.deadLetterReplayAll.name) d4(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('deadLetterReplayAll', m, ctx);
  }
  @MessagePattern(Commands.exitStatus.name) d3(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('exitStatus', m, ctx);
  }
  @MessagePattern(Commands.deadLetterReplay.name) d2(@Payload() m: unknown, @Ctx() ctx: BusContext) {
    return this.ca.fromBus('deadLetterReplay', m, ctx);
  }
}
