import { CaNameSchema, IdempotencyKeySchema, RetrievalSecretSchema } from '@signet/contracts';
import { answerShapes, documentedRoutes, registeredRoutes, resolveRefs } from '@signet/http';
import { z } from 'zod';
import { OPENAPI_DOCUMENT } from '../src/openapi/openapi.document';
import { CSR_PEM, postJson, startHarness, type Harness } from './harness';

/** A zod schema as JSON Schema, the way the document writes it (a schema with an id is its own component), less its description. */
const jsonSchema = (s: z.ZodType) => {
  const js = z.toJSONSchema(s) as { $ref?: string; $defs?: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  const { $schema: _d, description: _t, ...rest } = js.$ref ? js.$defs![js.$ref.split('/').pop()!]! : js;
  return rest;
};

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

  it('documents the retrieval secret: in every submit answer, never in Location, and as the header retrieve reads', () => {
    const retrieve = OPENAPI_DOCUMENT.paths['/api/v1/requests/{id}']!.get!;
    expect(retrieve.parameters).toContainEqual(expect.objectContaining({ name: 'Signet-Retrieval-Secret', in: 'header', schema: expect.objectContaining({ maxLength: 256 }) }));
    expect(retrieve.parameters?.map((p) => p.name)).not.toContain('retrievalSecret');
    const submitResult = OPENAPI_DOCUMENT.components.schemas.SubmitResult as { required: string[]; properties: Record<string, unknown> };
    expect(submitResult.required).toContain('retrievalSecret');
    expect(submitResult.properties.retrievalSecret).toMatchObject(jsonSchema(RetrievalSecretSchema));
    const location = (OPENAPI_DOCUMENT.paths['/api/v1/requests']!.post!.responses['201'] as { headers: Record<string, unknown> }).headers;
    expect(Object.keys(location).sort()).toEqual(['Cache-Control', 'Location']);
  });

  it('describes the submit body with the contract schemas that validate it', async () => {
    const doc = (await (await fetch(h.url('/api/v1/openapi.json'))).json()) as { components: { schemas: Record<string, { properties: Record<string, unknown>; additionalProperties?: boolean }> } };
    const submit = doc.components.schemas.SubmitBody!;
    expect(submit.additionalProperties).toBe(false);
    expect(submit.properties.idempotencyKey).toMatchObject(jsonSchema(IdempotencyKeySchema));
    expect(submit.properties.ca).toEqual({ $ref: '#/components/schemas/CaName' });
    expect(doc.components.schemas.CaName).toMatchObject(jsonSchema(CaNameSchema));
  });

  it("refuses a body the schema forbids with 400 and the schema's message, before the CA is asked", async () => {
    const schemaSays = IdempotencyKeySchema.safeParse('has space').error!.issues[0]!.message;
    const res = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, idempotencyKey: 'has space' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'BAD_MESSAGE', message: `invalid request body: idempotencyKey: ${schemaSays}`, details: { field: 'idempotencyKey' } });

    const unknown = await postJson(h.url('/api/v1/requests'), { csr: CSR_PEM, requester: 'admin', template: 'x' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      code: 'BAD_MESSAGE',
      message: 'invalid request body: requester: unknown field; template: unknown field',
      details: { fields: [{ field: 'requester', problem: 'unknown field' }, { field: 'template', problem: 'unknown field' }] },
    });
    expect(h.ca.submits).toHaveLength(0);
  });

  it("refuses a query parameter the schema forbids with the schema's message", async () => {
    const res = await fetch(h.url(`/api/v1/cas/${h.ca.name}/certificate?chain=maybe`));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'BAD_MESSAGE', message: 'invalid query: chain: must be true or false', details: { field: 'chain' } });
  });
});
