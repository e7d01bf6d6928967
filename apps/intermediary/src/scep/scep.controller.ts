import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ErrorCode, SignetError } from '@signet/contracts';
import { sourceKey, type HttpRequest, type HttpResponse } from '@signet/http';
import { noteForAccessLog } from '../http/access-log';
import { SCEP_CONFIG, type ScepConfig } from './scep.config';
import { ScepService, type ScepAnswer } from './scep.service';

/** The paths SCEP clients use: `/scep`, and the classic CGI path of the first implementations. */
export const SCEP_PATHS = ['/scep', '/cgi-bin/pkiclient.exe'] as const;

/** Whether an incoming URL is for SCEP (for the raw body parser: SCEP POSTs binary under several media types, or none). */
export function isScepPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0].toLowerCase();
  return (SCEP_PATHS as readonly string[]).includes(path);
}

/** A base64 message of a GET PKIOperation, as clients send it: '+' may arrive as a space, line breaks may be left in. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function badMessage(message: string, field = 'operation'): SignetError {
  return new SignetError(ErrorCode.BadMessage, message, { field });
}

function one(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badMessage(`${field}: give it once`, field);
  return value;
}

/**
 * SCEP (RFC 8894 4): one URL for every operation, `?operation=` names it.
 * GET GetCACaps, GetCACert and PKIOperation (`message=` base64); POST
 * PKIOperation with the binary message. Served on plain HTTP as well
 * (SCEP protects its messages itself: the challenge travels encrypted).
 */
@Controller()
export class ScepController {
  constructor(
    private readonly scep: ScepService,
    @Inject(SCEP_CONFIG) private readonly config: ScepConfig,
  ) {}

  @Get(SCEP_PATHS.map((p) => p.slice(1)))
  async get(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    this.enabled();
    const operation = one(req.query?.operation, 'operation');
    switch (operation) {
      case 'GetCACaps':
        return send(res, { contentType: 'text/plain; charset=us-ascii', body: this.scep.capabilities(), ca: '' });
      case 'GetCACert':
        return send(res, await this.scep.caCertificates());
      case 'PKIOperation': {
        const text = (one(req.query?.message, 'message') ?? '').replace(/ /g, '+').replace(/[\r\n]/g, '');
        if (!text) throw badMessage('PKIOperation: message is required', 'message');
        if (!BASE64.test(text)) throw badMessage('PKIOperation: message must be base64', 'message');
        return send(res, await this.scep.pkiOperation(Buffer.from(text, 'base64'), sourceKey(req.ip)));
      }
      case 'GetNextCACert':
        // RFC 8894 3.5.2: only for a CA that lists GetNextCACert in GetCACaps; Signet has no CA rollover to announce (ADR 0040).
        throw badMessage('GetNextCACert: this CA has no next CA certificate to announce (GetCACaps does not list GetNextCACert)');
      default:
        throw badMessage(operation === undefined ? 'operation is required (GetCACaps, GetCACert, PKIOperation)' : 'operation must be GetCACaps, GetCACert or PKIOperation');
    }
  }

  @Post(SCEP_PATHS.map((p) => p.slice(1)))
  async post(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    this.enabled();
    if (one(req.query?.operation, 'operation') !== 'PKIOperation') throw badMessage('POST is for operation=PKIOperation');
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body)) {
      throw new SignetError(ErrorCode.UnsupportedMediaType, 'PKIOperation: send the binary message as application/x-pki-message, application/octet-stream or without a Content-Type');
    }
    if (body.length === 0) throw badMessage('PKIOperation: the message is empty', 'body');
    return send(res, await this.scep.pkiOperation(body, sourceKey(req.ip)));
  }

  private enabled(): void {
    if (!this.config.enabled) throw new SignetError(ErrorCode.NotFound, 'SCEP is not enabled here (SIGNET_SCEP)');
  }
}

function send(res: HttpResponse, answer: ScepAnswer): void {
  noteForAccessLog(res, { ...(answer.ca ? { ca: answer.ca } : {}), ...(answer.requestId !== undefined ? { requestId: answer.requestId } : {}) });
  res.status(200).set({ 'Content-Type': answer.contentType, 'Cache-Control': 'no-store' }).send(answer.body);
}
