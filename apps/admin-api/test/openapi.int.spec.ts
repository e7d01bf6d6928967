import { Reflector } from '@nestjs/core';
import { CreateTokenSchema, DeadLetterReplayAllRequestSchema } from '@signet/contracts';
import { answerShapes, documentedRoutes, registeredRoutes, resolveRefs } from '@signet/http';
import { z } from 'zod';
import { AuditController } from '../src/audit/audit.controller';
import { ACCESS_KEY } from '../src/auth/access.decorator';
import { CertificatesController } from '../src/certificates/certificates.controller';
import { CrlsController } from '../src/crls/crls.controller';
import { DeadLettersController } from '../src/dead-letters/dead-letters.controller';
import { EnrollmentSecretsController } from '../src/enrollment-secrets/enrollment-secrets.controller';
import { ExitStatusController } from '../src/dead-letters/exit-status.controller';
import { HealthController } from '../src/health/health.controller';
import { MeController } from '../src/me/me.controller';
import { ModulesController } from '../src/modules/modules.controller';
import { OpenApiController } from '../src/openapi/openapi.controller';
import { OPENAPI_DOCUMENT } from '../src/openapi/openapi.document';
import { RequestsController } from '../src/requests/requests.controller';
import { TokensController } from '../src/tokens/tokens.controller';
import { ViewController } from '../src/view/view.controller';
import { expectError, startHarness, type Harness } from './harness';

/** A zod schema as JSON Schema, less its description (the document may word it for HTTP). */
const jsonSchema = (s: z.ZodType) => {
  const { $schema: _d, description: _t, ...rest } = z.toJSONSchema(s) as Record<string, unknown>;
  return rest;
};

describe('GET /api/v1/openapi.json', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('describes exactly the routes Nest registers', () => {
    const routes = registeredRoutes(h.app);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(documentedRoutes(OPENAPI_DOCUMENT)).toEqual(routes);
  });

  it('documents for every route the access rule its handler declares', () => {
    // Walk every controller method with an access decorator, and match it to the document by route.
    const reflector = new Reflector();
    const controllers = [RequestsController, CertificatesController, CrlsController, ViewController, ModulesController, AuditController, TokensController, EnrollmentSecretsController, DeadLettersController, ExitStatusController, MeController, HealthController, OpenApiController];
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
    const refs = resolveRefs(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(r).toEqual({ ref: r.ref, found: true });
  });

  it('gives every operation a success answer and every error answer the error shape', () => {
    const { successes, errors } = answerShapes(OPENAPI_DOCUMENT);
    expect(successes.length).toBeGreaterThan(0);
    for (const s of successes) expect(s).toEqual({ route: s.route, success: true });
    for (const e of errors) expect(e).toEqual({ route: e.route, status: e.status, shaped: true });
  });

  it('describes the bodies with the contract schemas that validate them', async () => {
    const doc = (await (await fetch(h.url('/api/v1/openapi.json'))).json()) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    expect(doc.components.schemas.CreateTokenBody!.properties.name).toEqual(jsonSchema(CreateTokenSchema.shape.name));
    expect(doc.components.schemas.ReplayAllBody!.properties.limit).toEqual(jsonSchema(DeadLetterReplayAllRequestSchema.shape.limit));
  });

  it("refuses a body the schema forbids with 400 and the schema's message, before ca-core is asked", async () => {
    const admin = h.token('root', ['ca-admin']);
    const nameSays = CreateTokenSchema.shape.name.safeParse('ci bot').error!.issues[0]!.message;
    const body = await expectError(await h.call('POST', '/api/v1/tokens', { token: admin, body: { name: 'ci bot', roles: ['officer'] } }), 400, 'BAD_MESSAGE');
    expect(body).toEqual({ code: 'BAD_MESSAGE', message: `invalid request body: name: ${nameSays}`, details: { field: 'name' } });
    expect(h.ca.received('adminCreateToken')).toEqual([]);

    const limitSays = DeadLetterReplayAllRequestSchema.shape.limit.safeParse(0).error!.issues[0]!.message;
    const replay = await expectError(await h.call('POST', '/api/v1/dead-letters/replay-all', { token: admin, body: { module: 'hook', limit: 0 } }), 400, 'BAD_MESSAGE');
    expect(replay).toEqual({ code: 'BAD_MESSAGE', message: `invalid request body: limit: ${limitSays}`, details: { field: 'limit' } });
    expect(h.ca.received('deadLetterReplayAll')).toEqual([]);
  });
});
