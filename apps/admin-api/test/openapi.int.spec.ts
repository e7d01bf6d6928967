import { Reflector } from '@nestjs/core';
import { AuditController } from '../src/audit/audit.controller';
import { ACCESS_KEY } from '../src/auth/access.decorator';
import { CertificatesController } from '../src/certificates/certificates.controller';
import { CrlsController } from '../src/crls/crls.controller';
import { DeadLettersController } from '../src/dead-letters/dead-letters.controller';
import { HealthController } from '../src/health/health.controller';
import { MeController } from '../src/me/me.controller';
import { ModulesController } from '../src/modules/modules.controller';
import { OpenApiController } from '../src/openapi/openapi.controller';
import { OPENAPI_DOCUMENT } from '../src/openapi/openapi.document';
import { RequestsController } from '../src/requests/requests.controller';
import { TokensController } from '../src/tokens/tokens.controller';
import { ViewController } from '../src/view/view.controller';
import { startHarness, type Harness } from './harness';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('GET /api/v1/openapi.json', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  /** Every route Nest registered on Express, as `METHOD /path/{param}`. */
  function registeredRoutes(): string[] {
    const express = h.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
    return express.router.stack
      .filter((l) => l.route)
      .flatMap((l) =>
        Object.keys(l.route!.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
      )
      .sort();
  }

  function documentedRoutes(): string[] {
    return Object.entries(OPENAPI_DOCUMENT.paths)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
  }

  it('describes exactly the routes Nest registers', () => {
    const routes = registeredRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(documentedRoutes()).toEqual(routes);
  });

  it('documents for every route the access rule its handler declares', () => {
    // Walk every controller method with an access decorator, and match it to the document by route.
    const reflector = new Reflector();
    const controllers = [RequestsController, CertificatesController, CrlsController, ViewController, ModulesController, AuditController, TokensController, DeadLettersController, MeController, HealthController, OpenApiController];
    const declared: Record<string, unknown> = {};
    for (const c of controllers) {
      const base: string = Reflect.getMetadata('path', c);
      for (const name of Object.getOwnPropertyNames(c.prototype)) {
        const fn = (c.prototype as unknown as Record<string, () => unknown>)[name];
        const sub: string | undefined = Reflect.getMetadata('path', fn);
        const method: number | undefined = Reflect.getMetadata('method', fn);
        if (sub === undefined || method === undefined) continue;
        const path = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        const verb = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'][method];
        declared[`${verb} ${path}`] = reflector.get(ACCESS_KEY, fn) ?? 'NONE';
      }
    }
    const documented = Object.fromEntries(
      Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, item]) => Object.entries(item).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op!['x-signet-access']])),
    );
    const normalize = (o: Record<string, unknown>) => JSON.parse(JSON.stringify(o));
    expect(normalize(declared)).toEqual(normalize(documented));
  });

  it('serves the document without a token, and every $ref in it resolves', async () => {
    const res = await fetch(h.url('/api/v1/openapi.json'));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({ openapi: '3.1.0' });
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) {
      const target = r.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect({ ref: r, found: target !== undefined }).toEqual({ ref: r, found: true });
    }
  });

  it('gives every operation a success answer and every error answer the error shape', () => {
    for (const [path, item] of Object.entries(OPENAPI_DOCUMENT.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const route = `${method.toUpperCase()} ${path}`;
        const statuses = Object.keys(op!.responses);
        expect({ route, success: statuses.some((s) => s.startsWith('2')) }).toEqual({ route, success: true });
        for (const [status, answer] of Object.entries(op!.responses)) {
          if (Number(status) < 400) continue;
          const shaped = '$ref' in answer ? answer.$ref.startsWith('#/components/responses/') : answer.content?.['application/json'] !== undefined;
          expect({ route, status, shaped }).toEqual({ route, status, shaped: true });
        }
      }
    }
  });
});
