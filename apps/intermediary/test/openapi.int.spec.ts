import { answerShapes, documentedRoutes, registeredRoutes, resolveRefs } from '@signet/http';
import { OPENAPI_DOCUMENT } from '../src/openapi/openapi.document';
import { startHarness, type Harness } from './harness';

describe('GET /api/v1/openapi.json', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('describes exactly the routes Nest registers', () => {
    const routes = registeredRoutes(h.app);
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(documentedRoutes(OPENAPI_DOCUMENT)).toEqual(routes);
  });

  it('serves the document, and every $ref in it resolves', async () => {
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
});
