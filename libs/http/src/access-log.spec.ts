import { EventEmitter } from 'node:events';
import { accessLog, noteForAccessLog } from './access-log';
import { type HttpRequest, type HttpResponse } from './express-types';

/** Just enough of Express for the middleware: a response that emits `finish`. */
function fakeCall(): { req: HttpRequest; res: HttpResponse } {
  const res = Object.assign(new EventEmitter(), { locals: {}, statusCode: 201 }) as unknown as HttpResponse;
  return { req: { method: 'POST', path: '/api/v1/requests' } as HttpRequest, res };
}

describe('accessLog', () => {
  it('ok/one line with method, path, status, duration and the noted context, after the response', () => {
    const lines: string[] = [];
    const mw = accessLog<{ ca?: string; id?: number }>((c) => [c.ca ? `ca=${c.ca}` : '', c.id !== undefined ? `id=${c.id}` : ''], { log: (m: string) => lines.push(m) });
    const { req, res } = fakeCall();
    let nextCalled = false;
    mw(req, res, () => (nextCalled = true));
    expect(nextCalled).toBe(true);
    noteForAccessLog(res, { ca: 'dev' });
    noteForAccessLog(res, { id: 7 });
    expect(lines).toEqual([]);
    res.emit('finish');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^POST \/api\/v1\/requests 201 \d+\.\dms ca=dev id=7$/);
  });

  it('ok/nothing noted → no trailing fields', () => {
    const lines: string[] = [];
    const mw = accessLog<{ ca?: string }>((c) => [c.ca ? `ca=${c.ca}` : ''], { log: (m: string) => lines.push(m) });
    const { req, res } = fakeCall();
    mw(req, res, () => undefined);
    res.emit('finish');
    expect(lines[0]).toMatch(/^POST \/api\/v1\/requests 201 \d+\.\dms$/);
  });
});
