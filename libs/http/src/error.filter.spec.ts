import { type ArgumentsHost } from '@nestjs/common';
import { ErrorCode, SignetError } from '@signet/contracts';
import { HttpErrorFilter } from './error.filter';

/** A response that records what the filter sent. */
function capture(path: string) {
  const sent: { status?: number; headers: Record<string, string>; json?: unknown; body?: Buffer } = { headers: {} };
  const res = {
    headersSent: false,
    status(s: number) {
      sent.status = s;
      return res;
    },
    set(h: Record<string, string>) {
      Object.assign(sent.headers, h);
      return res;
    },
    json(b: unknown) {
      sent.json = b;
      return res;
    },
    send(b: Buffer) {
      sent.body = b;
      return res;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ method: 'POST', path }) }) } as unknown as ArgumentsHost;
  return { sent, host };
}

describe('HttpErrorFilter', () => {
  const filter = new HttpErrorFilter({ plainText: (req) => req.path.startsWith('/.well-known/est/') });

  it('ok/JSON {code, message} by default', () => {
    const { sent, host } = capture('/api/v1/requests');
    filter.catch(new SignetError(ErrorCode.TooLarge, 'request body exceeds 65536 bytes'), host);
    expect(sent).toMatchObject({ status: 413, json: { code: 'TOO_LARGE', message: 'request body exceeds 65536 bytes' } });
  });

  it('ok/plainText paths get `CODE: message` as text/plain, with the same status and headers', () => {
    const { sent, host } = capture('/.well-known/est/nosuch');
    filter.catch(new SignetError(ErrorCode.NotFound, 'no such route'), host);
    expect({ status: sent.status, type: sent.headers['Content-Type'], body: sent.body?.toString(), json: sent.json }).toEqual({
      status: 404,
      type: 'text/plain; charset=utf-8',
      body: 'NOT_FOUND: no such route\n',
      json: undefined,
    });
  });
});
