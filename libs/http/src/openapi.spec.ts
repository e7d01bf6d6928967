import { z } from 'zod';
import { buildOpenApiDocument, type RouteSpec } from './openapi';
import { queryBool, queryInt } from './validation';

const Name = z.string().regex(/^[a-z]+$/).meta({ id: 'Name', description: 'A name' });
const Thing = z.object({ name: Name, at: z.iso.datetime({ offset: true }) }).meta({ id: 'Thing' });
const ErrorBody = z.object({ code: z.string(), message: z.string() }).meta({ id: 'Err' });

const info = { title: 't', version: '1', description: 'd', license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } };
const route = (r: Partial<RouteSpec>): RouteSpec => ({ method: 'get', path: '/things', operationId: 'x', summary: 's', tags: ['t'], responses: { '200': { description: 'ok' } }, ...r });
const build = (routes: RouteSpec[]) => buildOpenApiDocument({ info, tags: [], routes, responses: { Bad: { description: 'bad', content: { 'application/json': ErrorBody } } } });

describe('buildOpenApiDocument', () => {
  it('ok/schemas with an id become components, referred to by $ref', () => {
    const doc = build([route({ responses: { '200': { description: 'ok', content: { 'application/json': Thing } }, '400': 'Bad' } })]);
    expect(doc.paths['/things']!.get!.responses).toEqual({
      '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
      '400': { $ref: '#/components/responses/Bad' },
    });
    expect(doc.components.schemas.Thing).toEqual({
      type: 'object',
      properties: { name: { $ref: '#/components/schemas/Name' }, at: { type: 'string', format: 'date-time' } },
      required: ['name', 'at'],
      additionalProperties: false,
    });
    expect(doc.components.schemas.Name).toEqual({ type: 'string', pattern: '^[a-z]+$', description: 'A name' });
  });

  it('ok/path and query parameters as what they mean once parsed; required from what the schema accepts', () => {
    const doc = build([
      route({
        path: '/things/{name}',
        params: z.object({ name: Name }),
        query: z.object({ limit: queryInt(1, 5).meta({ description: 'At most this many' }), all: queryBool(false), q: z.string() }),
      }),
    ]);
    expect(doc.paths['/things/{name}']!.get!.parameters).toEqual([
      { name: 'name', in: 'path', required: true, schema: { $ref: '#/components/schemas/Name' } },
      { name: 'limit', in: 'query', description: 'At most this many', schema: { type: 'integer', minimum: 1, maximum: 5 } },
      { name: 'all', in: 'query', schema: { type: 'boolean', default: false } },
      { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
    ]);
  });

  it('ok/a request body as the schema accepts it (a field with a default is optional), other media types as they are', () => {
    const doc = build([
      route({
        method: 'post',
        body: {
          required: true,
          content: { 'application/json': z.strictObject({ d: z.boolean().default(false) }), 'application/pkcs10': z.string().meta({ contentMediaType: 'application/pkcs10' }) },
        },
      }),
    ]);
    expect(doc.paths['/things']!.post!.requestBody).toEqual({
      required: true,
      content: {
        'application/json': { schema: { type: 'object', properties: { d: { type: 'boolean', default: false } }, additionalProperties: false } },
        'application/pkcs10': { schema: { type: 'string', contentMediaType: 'application/pkcs10' } },
      },
    });
  });

  it.each([
    ['fail/a route twice', [route({}), route({ operationId: 'y' })], /twice/],
    ['fail/a path parameter not described', [route({ path: '/things/{id}' })], /path parameters/],
    ['fail/an unknown shared answer', [route({ responses: { '404': 'Missing' } })], /unknown shared answer "Missing"/],
    ['fail/a transform nothing describes', [route({ query: z.object({ n: z.string().transform(Number) }) })], /./],
    [
      'fail/one id that reads differently as a request and as an answer',
      [route({ method: 'post', body: { required: true, content: { 'application/json': z.object({ a: z.string() }).meta({ id: 'Twice' }) } }, responses: { '200': { description: 'ok', content: { 'application/json': z.object({ a: z.string() }).meta({ id: 'Twice' }) } } } })],
      /"Twice" reads differently/,
    ],
  ])('%s', (_n, routes, error) => {
    expect(() => build(routes)).toThrow(error);
  });
});
