import { Controller, Get, Module } from '@nestjs/common';
import { type Server } from 'node:http';
import { createHttpApp, KEEP_ALIVE_TIMEOUT_MS } from './app';

@Controller()
class PingController {
  @Get('ping')
  ping(): string {
    return 'pong';
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

describe('createHttpApp', () => {
  it('ok/keeps idle connections open longer than clients and proxies do (65 s), headers a second longer', async () => {
    const app = await createHttpApp({ module: PingModule }, { logger: false, accessLog: (_q, _s, next) => next(), bodyParsers: () => undefined, errorFilter: { catch: () => undefined } });
    await app.listen(0, '127.0.0.1');
    try {
      const server = app.getHttpServer() as Server;
      expect([server.keepAliveTimeout, server.headersTimeout]).toEqual([KEEP_ALIVE_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS + 1_000]);
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/ping`);
      expect(res.headers.get('keep-alive')).toBe('timeout=65');
      expect(await res.text()).toBe('pong');
    } finally {
      await app.close();
    }
  });
});
