import { Body, Controller, Get, Headers, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ErrorCode, SignetError, type Identity } from '@signet/contracts';
import { type HttpRequest, type HttpResponse } from '@signet/http';
import { TLSSocket } from 'node:tls';
import { EnrolleeAuth } from '../auth/enrollee-auth';
import { toIntermediaryHttpError } from '../auth/challenge';
import { noteForAccessLog } from '../http/access-log';
import { EST_LABEL } from './est.config';
import { csrDerOf, estIdempotencyKey } from './est-encoding';
import { EstService, textAnswer, type EnrollOperation, type EstAnswer } from './est.service';

/** RFC 7030 §3.2.2: every EST operation under this prefix, optionally after a label. */
export const EST_PATH = '.well-known/est';

/** Whether a request path is under /.well-known/est/ (for the error filter: EST errors are text). */
export function isEstPath(path: string | undefined): boolean {
  return (path ?? '').toLowerCase().startsWith(`/${EST_PATH}/`);
}

/**
 * EST's routes (RFC 7030 §3.2.2), each with and without a label:
 * `/.well-known/est[/<label>]/{cacerts,simpleenroll,simplereenroll,csrattrs,serverkeygen}`.
 * Thin: settles the listener, the label, who asks and the body, then the
 * service decides. Every answer, errors included, is sent here as EST
 * clients read it: a base64 body or text, with Content-Length (Express
 * sets it for a Buffer), never the JSON error shape of the API.
 */
@Controller(EST_PATH)
export class EstController {
  private readonly log = new Logger('Est');

  constructor(
    private readonly est: EstService,
    private readonly auth: EnrolleeAuth,
  ) {}

  @Get('cacerts')
  cacerts(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.answer(req, res, undefined, () => this.est.caCerts());
  }

  @Get(':label/cacerts')
  cacertsLabeled(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('label') label: string): Promise<void> {
    return this.answer(req, res, label, () => {
      this.est.templateOf(label);
      return this.est.caCerts();
    });
  }

  @Get('csrattrs')
  csrattrs(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.answer(req, res, undefined, async () => this.est.csrAttrs());
  }

  @Get(':label/csrattrs')
  csrattrsLabeled(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('label') label: string): Promise<void> {
    return this.answer(req, res, label, async () => {
      this.est.templateOf(label);
      return this.est.csrAttrs();
    });
  }

  @Post('simpleenroll')
  simpleenroll(@Req() req: HttpRequest, @Res() res: HttpResponse, @Headers('content-type') type: string | undefined, @Body() body: unknown): Promise<void> {
    return this.enroll('simpleenroll', undefined, req, res, type, body);
  }

  @Post(':label/simpleenroll')
  simpleenrollLabeled(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('label') label: string, @Headers('content-type') type: string | undefined, @Body() body: unknown): Promise<void> {
    return this.enroll('simpleenroll', label, req, res, type, body);
  }

  @Post('simplereenroll')
  simplereenroll(@Req() req: HttpRequest, @Res() res: HttpResponse, @Headers('content-type') type: string | undefined, @Body() body: unknown): Promise<void> {
    return this.enroll('simplereenroll', undefined, req, res, type, body);
  }

  @Post(':label/simplereenroll')
  simplereenrollLabeled(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('label') label: string, @Headers('content-type') type: string | undefined, @Body() body: unknown): Promise<void> {
    return this.enroll('simplereenroll', label, req, res, type, body);
  }

  @Post('serverkeygen')
  serverkeygen(@Req() req: HttpRequest, @Res() res: HttpResponse, @Headers('content-type') type: string | undefined, @Body() body: unknown): Promise<void> {
    return this.enroll('serverkeygen', undefined, req, res, type, body);
  }

  @Post(':label/serverkeygen')
  serverkeygenLabeled(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('label') label: string, @Headers('content-type') type: string | undefined, @Body() body: unknown): Promise<void> {
    return this.enroll('serverkeygen', label, req, res, type, body);
  }

  /**
   * Order: the label (404), the body (415, 413, 400), then who asks (a
   * retry's idempotency key, which a spent enrollment secret may still
   * hold for, needs the request).
   * EST always authenticates the enrollee: anonymous is a 401 with the Basic
   * challenge.
   */
  private enroll(op: EnrollOperation | 'serverkeygen', label: string | undefined, req: HttpRequest, res: HttpResponse, type: string | undefined, body: unknown): Promise<void> {
    return this.answer(req, res, label, async () => {
      const template = this.est.templateOf(label);
      const der = csrDerOf(type, body);
      // serverkeygen never replays (each answer carries a fresh key), so it has no retry to recognise.
      const retryKeyFor = op === 'serverkeygen' ? undefined : (requester: Pick<Identity, 'method' | 'principal'>) => estIdempotencyKey(requester, template, der);
      const identity = await this.auth.identify(req, { retryKeyFor });
      if (identity.method === 'anonymous') {
        throw new SignetError(ErrorCode.Unauthorized, 'EST enrollment needs a credential: a TLS client certificate of this CA, or HTTP Basic with an enrollment secret', { reason: 'no-credential' });
      }
      return op === 'serverkeygen' ? this.est.serverKeygen(label, req, identity, der) : this.est.enroll(op, label, req, identity, der);
    });
  }

  /** Runs one operation over HTTPS only (RFC 7030 §3.3) and sends its answer, or its error as text. */
  private async answer(req: HttpRequest, res: HttpResponse, label: string | undefined, run: () => Promise<EstAnswer>): Promise<void> {
    let a: EstAnswer;
    try {
      if (!(req.socket instanceof TLSSocket)) throw new SignetError(ErrorCode.NotFound, 'EST is served over HTTPS only (RFC 7030 §3.3)');
      if (label !== undefined && !EST_LABEL.test(label)) throw new SignetError(ErrorCode.NotFound, 'not an EST label');
      a = await run();
    } catch (e) {
      const err = toIntermediaryHttpError(e);
      if (err.logDetail) this.log.error(`${req.method} ${req.path}: ${err.logDetail}`);
      a = textAnswer(err.status, `${err.body.code}: ${err.body.message}`, err.headers);
    }
    noteForAccessLog(res, { ca: a.ca, requestId: a.requestId });
    res.status(a.status).set(a.headers).send(Buffer.from(a.body, 'utf8'));
  }
}
