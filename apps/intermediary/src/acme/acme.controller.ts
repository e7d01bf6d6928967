import { Controller, Get, Head, Inject, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { type HttpRequest, type HttpResponse } from '@signet/http';
import { TLSSocket } from 'node:tls';
import { type AcmeAnswer } from './acme.answer';
import { type AcmeConfig } from './acme.config';
import { type AcmeStore } from './acme.store';
import { ACME_CONFIG, ACME_STORE } from './acme.tokens';
import { ACME_ROOT, AcmeUrls } from './acme.urls';
import { directoryView } from './acme.views';
import { AcmeAccountsService } from './acme-accounts.service';
import { AcmeOrdersService } from './acme-orders.service';
import { AcmeRevocationService } from './acme-revocation.service';
import { AcmeRenewalService } from './acme-renewal.service';
import { type AcmeHttpRequest } from './acme-request';
import { AcmeProblem, toProblem } from './problem';

export const JOSE_MEDIA_TYPE = 'application/jose+json';
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The ACME routes (RFC 8555 7.1). Thin: each builds the request's URLs,
 * hands it to a service and writes the answer with what every ACME answer
 * carries (a fresh Replay-Nonce, the directory as rel="index", no-store);
 * every failure becomes a problem document.
 */
@Controller(ACME_ROOT.slice(1))
export class AcmeController {
  private readonly log = new Logger('Acme');

  constructor(
    @Inject(ACME_CONFIG) private readonly config: AcmeConfig,
    @Inject(ACME_STORE) private readonly store: AcmeStore,
    private readonly accounts: AcmeAccountsService,
    private readonly orders: AcmeOrdersService,
    private readonly revocations: AcmeRevocationService,
    private readonly renewals: AcmeRenewalService,
  ) {}

  @Get('directory')
  directory(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.run(req, res, async (r) => ({ status: 200, headers: {}, body: directoryView(r.urls, this.config) }), { post: false, nonce: false });
  }

  @Head('new-nonce')
  headNonce(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.run(req, res, async () => ({ status: 200, headers: {}, body: '' }), { post: false });
  }

  @Get('new-nonce')
  getNonce(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.run(req, res, async () => ({ status: 204, headers: {}, body: '' }), { post: false });
  }

  @Post('new-account')
  newAccount(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.run(req, res, (r) => this.accounts.newAccount(r));
  }

  @Post('key-change')
  keyChange(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.run(req, res, (r) => this.accounts.keyChange(r));
  }

  @Post('revoke-cert')
  revokeCert(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.run(req, res, (r) => this.revocations.revokeCert(r));
  }

  @Get('renewal-info/:certId')
  renewalInfo(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('certId') certId: string): Promise<void> {
    return this.run(req, res, () => this.renewals.renewalInfo(certId), { post: false });
  }

  /** A profile's own directory (draft-ietf-acme-profiles): the same server, with a newOrder that orders that profile. */
  @Get(':profile/directory')
  profileDirectory(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('profile') profile: string): Promise<void> {
    return this.run(req, res, async (r) => ({ status: 200, headers: {}, body: directoryView(r.urls, this.config) }), { post: false, nonce: false, profile });
  }

  @Post(':profile/new-order')
  profileNewOrder(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('profile') profile: string): Promise<void> {
    return this.run(req, res, (r) => this.orders.newOrder(r), { profile });
  }

  @Post('acct/:id')
  account(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('id') id: string): Promise<void> {
    return this.run(req, res, (r) => this.accounts.account(r, checkId(id)));
  }

  @Post('acct/:id/orders')
  accountOrders(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('id') id: string): Promise<void> {
    return this.run(req, res, (r) => this.accounts.orders(r, checkId(id)));
  }

  @Post('new-order')
  newOrder(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.run(req, res, (r) => this.orders.newOrder(r));
  }

  @Post('order/:id')
  order(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('id') id: string): Promise<void> {
    return this.run(req, res, (r) => this.orders.order(r, checkId(id)));
  }

  @Post('order/:id/finalize')
  finalize(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('id') id: string): Promise<void> {
    return this.run(req, res, (r) => this.orders.finalize(r, checkId(id)));
  }

  @Post('authz/:id')
  authz(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('id') id: string): Promise<void> {
    return this.run(req, res, (r) => this.orders.authz(r, checkId(id)));
  }

  @Post('chall/:id')
  challenge(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('id') id: string): Promise<void> {
    return this.run(req, res, (r) => this.orders.challenge(r, checkId(id)));
  }

  @Post('cert/:id')
  certificate(@Req() req: HttpRequest, @Res() res: HttpResponse, @Param('id') id: string): Promise<void> {
    return this.run(req, res, (r) => this.orders.certificate(r, checkId(id)));
  }

  /** The URL base the client reached: SIGNET_ACME_BASE_URL, else this request's scheme and Host. */
  private urlsOf(req: HttpRequest, profile?: string): AcmeUrls {
    if (this.config.baseUrl) return new AcmeUrls(this.config.baseUrl, profile);
    const scheme = req.socket instanceof TLSSocket ? 'https' : 'http';
    return new AcmeUrls(`${scheme}://${req.headers.host ?? 'localhost'}`, profile);
  }

  private async run(req: HttpRequest, res: HttpResponse, handle: (r: AcmeHttpRequest) => Promise<AcmeAnswer>, opts: { post?: boolean; nonce?: boolean; profile?: string } = {}): Promise<void> {
    const known = opts.profile === undefined || this.config.profiles.some((p) => p.name === opts.profile);
    const urls = this.urlsOf(req, known ? opts.profile : undefined);
    let answer: AcmeAnswer;
    try {
      if (!known) throw new AcmeProblem('malformed', 'no such profile', { status: 404 });
      let body = '';
      if (opts.post !== false) {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (type !== JOSE_MEDIA_TYPE) throw new AcmeProblem('malformed', `the Content-Type must be ${JOSE_MEDIA_TYPE}`, { status: 415 });
        body = typeof req.body === 'string' ? req.body : '';
      }
      answer = await handle({ urls, clientIp: req.ip ?? req.socket.remoteAddress ?? null, url: `${urls.base}${(req as HttpRequest & { originalUrl?: string }).originalUrl ?? req.url ?? req.path}`, body });
    } catch (e) {
      const problem = toProblem(e);
      if (problem.status >= 500 && !(e instanceof AcmeProblem)) this.log.error(`${req.method} ${req.path}: ${(e as Error)?.message ?? String(e)}`);
      answer = {
        status: problem.status,
        headers: problem.extra.retryAfterSeconds ? { 'Retry-After': String(problem.extra.retryAfterSeconds) } : {},
        body: problem.toDocument(),
        contentType: 'application/problem+json',
      };
    }
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', Link: `<${urls.directory()}>;rel="index"`, ...answer.headers };
    // RFC 8555 6.5: a fresh nonce on every answer, errors included (a badNonce client retries with it).
    if (opts.nonce !== false) headers['Replay-Nonce'] = await this.store.issueNonce(this.config.nonceTtlSeconds).catch(() => '');
    if (!headers['Replay-Nonce']) delete headers['Replay-Nonce'];
    res.status(answer.status).set(headers);
    if (answer.status === 204 || req.method === 'HEAD') {
      res.end();
    } else if (typeof answer.body === 'string') {
      res.type(answer.contentType ?? 'text/plain').send(answer.body);
    } else {
      res.type(answer.contentType ?? 'application/json').send(JSON.stringify(answer.body));
    }
  }
}

function checkId(id: string): string {
  if (!ID.test(id)) throw new AcmeProblem('malformed', 'no such resource', { status: 404 });
  return id;
}
