import { answerShapes, documentedRoutes, resolveRefs } from './testing';
import { type OpenApiDocument } from './openapi';

const doc: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 't', version: '1', description: 'd', license: { name: 'MIT', identifier: 'MIT' } },
  tags: [],
  paths: {
    '/a/{id}': {
      get: { operationId: 'a', summary: 'a', tags: [], responses: { '200': { description: 'ok' }, '404': { $ref: '#/components/responses/NotFound' } } },
      post: { operationId: 'b', summary: 'b', tags: [], responses: { '400': { description: 'no body shape' } } },
    },
  },
  components: { schemas: { X: { type: 'string' } }, responses: {}, parameters: {} },
};

describe('OpenAPI test helpers', () => {
  it('ok/documentedRoutes lists METHOD path, sorted', () => {
    expect(documentedRoutes(doc)).toEqual(['GET /a/{id}', 'POST /a/{id}']);
  });

  it('fail/resolveRefs reports a dangling $ref', () => {
    const served = { a: { $ref: '#/components/schemas/X' }, b: { $ref: '#/components/schemas/Y' }, components: { schemas: { X: {} } } };
    expect(resolveRefs(served)).toEqual([
      { ref: 'components/schemas/X', found: true },
      { ref: 'components/schemas/Y', found: false },
    ]);
  });

  it('fail/answerShapes reports a missing success answer and an unshaped error answer', () => {
    expect(answerShapes(doc)).toEqual({
      successes: [
        { route: 'GET /a/{id}', success: true },
        { route: 'POST /a/{id}', success: false },
      ],
      errors: [
        { route: 'GET /a/{id}', status: '404', shaped: true },
        { route: 'POST /a/{id}', status: '400', shaped: false },
      ],
    });
  });
});
