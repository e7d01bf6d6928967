import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Get, Inject, Module, Req, type DynamicModule } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { ErrorCode, SignetError, type EnrollmentSecretBinding, type Identity } from '@signet/contracts';
import { CapturingLogger, createHttpApp, HttpErrorFilter, listenForTests, type HttpRequest } from '@signet/http';
import { FakeCa } from '../../test/fake-ca';
import { FRONT_DOOR, NATS_URL, uniqueCaName } from '../../test/harness';
import { BusModule } from '../bus/bus.module';
import { loadConfig } from '../config/config';
import { accessLog } from '../http/access-log';
import { AUTHENTICATORS, type Authenticator } from './authenticator';
import { toIntermediaryHttpError } from './challenge';
import { EnrollmentSecretAuthenticator } from './enrollment-secret.authenticator';
import { ENROLLMENT_SECRET_AUTHENTICATORS, EnrollmentSecretAuthModule } from './enrollment-secret.module';

/*
 * The enrollment-secret authenticator over HTTP and the real bus (ADR
 * 0032), with a fake ca-core answering ca.<ca>.enrollment-secret.check. The
 * pipeline that asks AUTHENTICATORS for every enrollment lands separately;
 * here a probe route asks them the same way, behind the intermediary's own
 * error mapping.
 */

const ID = 'es-0123456789abcdef';
const SECRET = 'c0'.repeat(32);
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const BINDING: EnrollmentSecretBinding = {
  id: ID,
  names: [{ type: 'dns', value: 'www.example.com' }],
  subject: [{ type: 'CN', value: 'www.example.com' }],
  template: 'WebServer',
  groups: ['web'],
  oneTime: `enrollment-secret:${ID}`,
  createdBy: 'olivia',
  expiresAt: '2027-01-08T00:00:00.000Z',
};

@Controller('probe')
class ProbeController {
  constructor(@Inject(AUTHENTICATORS) private readonly authenticators: Authenticator[]) {}

  /** What the pipeline does: the first authenticator that recognises a credential decides; else anonymous. */
  @Get()
  async probe(@Req() req: HttpRequest): Promise<{ identity: Identity | 'anonymous' }> {
    for (const a of this.authenticators) {
      const identity = await a.authenticate(req);
      if (identity) return { identity };
    }
    return { identity: 'anonymous' };
  }
}

describe('enrollment-secret authenticator (HTTP, real NATS, fake ca-core)', () => {
  let nc: NatsConnection;
  let ca: FakeCa;
  let app: NestExpressApplication;
  let url: string;
  let nowMs = Date.UTC(2027, 0, 2);
  const logger = new CapturingLogger();

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
    ca = await new FakeCa(uniqueCaName('es')).start(nc);
    ca.onSecretCheck = (p) => {
      if (p.id === ID && p.secret === SECRET) return BINDING;
      throw new SignetError(ErrorCode.Unauthorized, 'enrollment secret not accepted', { reason: 'invalid_enrollment_secret' });
    };
    const config = loadConfig({ SIGNET_NATS_URL: NATS_URL, SIGNET_FRONT_DOOR_KEY: FRONT_DOOR.privateKeyPem, SIGNET_HTTP_PORT: '0', SIGNET_DEFAULT_CA: ca.name, SIGNET_CA_TIMEOUT_MS: '1000', SIGNET_DISCOVERY_WAIT_MS: '150' });
    @Module({})
    class ProbeModule {
      static register(): DynamicModule {
        return {
          module: ProbeModule,
          imports: [BusModule.register(config, nc), EnrollmentSecretAuthModule.register({ SIGNET_AUTH_FAILURE_LIMIT: '3', SIGNET_AUTH_FAILURE_WINDOW_SECONDS: '60' }, () => nowMs)],
          // As the pipeline builds AUTHENTICATORS: each method's list, spread.
          providers: [{ provide: AUTHENTICATORS, useFactory: (...lists: Authenticator[][]) => lists.flat(), inject: [ENROLLMENT_SECRET_AUTHENTICATORS] }],
          controllers: [ProbeController],
        };
      }
    }
    app = await createHttpApp(ProbeModule.register(), {
      logger,
      accessLog: accessLog(),
      bodyParsers: (a) => a.useBodyParser('json'),
      errorFilter: new HttpErrorFilter({ toHttpError: toIntermediaryHttpError }),
    });
    url = (await listenForTests(app))('/probe');
  });

  afterAll(async () => {
    await app?.close();
    await ca?.stop();
    await nc?.close();
  });

  const probe = (authorization?: string, query = '') => fetch(`${url}${query}`, { headers: authorization ? { authorization } : {} });

  it('the right secret as EST sends it: the identity it binds, spendable once, and the default CA was asked', async () => {
    const before = ca.secretChecks.length;
    const res = await probe(basic(ID, SECRET));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      identity: {
        method: 'enrollment-secret',
        principal: ID,
        names: [{ type: 'dns', value: 'www.example.com' }],
        groups: ['web'],
        template: 'WebServer',
        subject: [{ type: 'CN', value: 'www.example.com' }],
        oneTime: `enrollment-secret:${ID}`,
        evidence: { secretId: ID, createdBy: 'olivia' },
      },
    });
    expect(ca.secretChecks.slice(before)).toEqual([{ id: ID, secret: SECRET }]);
    // The CA a request names is where the secret is checked.
    expect((await probe(basic(ID, SECRET), `?ca=${ca.name}`)).status).toBe(200);
  });

  it('no credentials, or another scheme: not this authenticator\'s (anonymous here), and ca-core is not asked', async () => {
    const before = ca.secretChecks.length;
    expect(await (await probe()).json()).toEqual({ identity: 'anonymous' });
    expect(await (await probe('Bearer some-token')).json()).toEqual({ identity: 'anonymous' });
    expect(ca.secretChecks.length).toBe(before);
  });

  it('a wrong secret: 401 with a Basic challenge and the one refusal; repeated failures from the source: 429 with Retry-After, ca-core not asked; allowed again after the window', async () => {
    const wrong = await probe(basic(ID, 'd1'.repeat(32)));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="signet", charset="UTF-8", Bearer realm="signet"');
    expect(await wrong.json()).toEqual({ code: 'UNAUTHORIZED', message: 'enrollment secret not accepted', details: { reason: 'invalid_enrollment_secret' } });

    // A malformed Basic header is refused the same way, without asking ca-core, and counts.
    const before = ca.secretChecks.length;
    const malformed = await probe('Basic !!notbase64');
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('www-authenticate')).toBe('Basic realm="signet", charset="UTF-8", Bearer realm="signet"');
    expect(ca.secretChecks.length).toBe(before);

    expect((await probe(basic('es-ffffffffffffffff', SECRET))).status).toBe(401); // the third failure within the window
    const limited = await probe(basic(ID, SECRET)); // even the right secret, from this source
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
    expect(ca.secretChecks.length).toBe(before + 1);
    // Anonymous requests from that source are not this limiter's business.
    expect((await probe()).status).toBe(200);

    nowMs += 60_001;
    expect((await probe(basic(ID, SECRET))).status).toBe(200);
  });

  it('an unreachable CA is 503, not a refused secret, and does not count', async () => {
    nowMs += 120_000;
    ca.onSecretCheck = () => {
      throw new SignetError(ErrorCode.CaUnavailable, 'down');
    };
    try {
      for (let i = 0; i < 4; i++) expect((await probe(basic(ID, SECRET))).status).toBe(503);
    } finally {
      ca.onSecretCheck = (p) => {
        if (p.id === ID && p.secret === SECRET) return BINDING;
        throw new SignetError(ErrorCode.Unauthorized, 'enrollment secret not accepted', { reason: 'invalid_enrollment_secret' });
      };
    }
    expect((await probe(basic(ID, SECRET))).status).toBe(200);
  });

  it('a SCEP challengePassword (<id>:<secret>) goes through fromCredential the same way', async () => {
    nowMs += 120_000;
    const a = app.get(EnrollmentSecretAuthenticator);
    expect(await a.fromCredential(ca.name, `${ID}:${SECRET}`, '192.0.2.9')).toMatchObject({ method: 'enrollment-secret', principal: ID, oneTime: `enrollment-secret:${ID}` });
    await expect(a.fromCredential(ca.name, SECRET, '192.0.2.9')).rejects.toMatchObject({ code: ErrorCode.Unauthorized, message: 'enrollment secret not accepted' });
    await expect(a.fromCredential(ca.name, `${ID}:${'0'.repeat(64)}`, '192.0.2.9')).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
  });

  it('never logs a secret', () => {
    const text = logger.lines.join('\n');
    expect(text).toContain('enrollment secret refused');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('d1'.repeat(32));
  });
});
