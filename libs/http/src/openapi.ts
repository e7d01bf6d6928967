import { z } from 'zod';

/*
 * A service's OpenAPI 3.1 document, generated from its route table: each
 * route names the zod schemas that validate its path, query, headers and
 * body (the same objects its controller hands to ZodPipe) and those of its
 * answers. zod 4 writes JSON Schema 2020-12, which is OpenAPI 3.1's schema
 * dialect; schemas with a `meta({ id })` become `components.schemas`
 * entries and are referred to by `$ref`. What a document says stays in its
 * app; this file only assembles.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type JsonSchema = Record<string, unknown>;

export interface HeaderSpec {
  description: string;
  schema: z.ZodType;
  required?: boolean;
}

/** One answer: its body by media type (a zod schema each) and its headers. */
export interface AnswerSpec {
  description: string;
  headers?: Record<string, HeaderSpec>;
  content?: Record<string, z.ZodType>;
}

/** One row of a route table; `X` is what a service adds to each operation (`x-…` extensions, `security`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends X` asks whether X has no required key
export type RouteSpec<X extends object = object> = RouteBase & ({} extends X ? { extensions?: X } : { extensions: X });

interface RouteBase {
  method: HttpMethod;
  /** OpenAPI form: `/api/v1/requests/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Path parameters: one property per `{name}` in the path. */
  params?: z.ZodObject;
  /** The query, an object schema; documented by what each parameter means once parsed. */
  query?: z.ZodType;
  /** Request headers the operation reads. */
  headers?: z.ZodObject;
  body?: { required: boolean; description?: string; content: Record<string, z.ZodType> };
  /** By status; a string names one of the document's shared answers. */
  responses: Record<string, AnswerSpec | string>;
}

export interface DocumentSpec<X extends object = object> {
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  tags: { name: string; description: string }[];
  routes: readonly RouteSpec<X>[];
  /** Answers several operations share, by name (`#/components/responses/<name>`). */
  responses: Record<string, AnswerSpec>;
  security?: Record<string, string[]>[];
  securitySchemes?: Record<string, JsonSchema>;
}

export interface Ref {
  $ref: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  description?: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface Response {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema; required?: boolean }>;
  content?: Record<string, { schema: JsonSchema }>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, Response | Ref>;
  [extension: `x-${string}`]: unknown;
  security?: Record<string, string[]>[];
}

export type PathItem<X extends object = object> = Partial<Record<HttpMethod, Operation & X>>;

export interface OpenApiDocument<X extends object = object> {
  openapi: '3.1.0';
  info: DocumentSpec['info'];
  tags: DocumentSpec['tags'];
  security?: Record<string, string[]>[];
  paths: Record<string, PathItem<X>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, Response>;
    /** Not written by buildOpenApiDocument (parameters stay with their operation), but OpenAPI allows them. */
    parameters?: Record<string, Parameter>;
    securitySchemes?: Record<string, JsonSchema>;
  };
}

/** zod writes ISO times as `format: date-time` plus the regex it checks with; the format says it. */
function dateTimeWithoutPattern(ctx: { jsonSchema: JsonSchema }): void {
  if (ctx.jsonSchema.format === 'date-time') delete ctx.jsonSchema.pattern;
}

const toComponents = (j: unknown): JsonSchema => JSON.parse(JSON.stringify(j).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;

/**
 * Request bodies are documented as the schema accepts them (`io: input`:
 * a field with a default is optional); answers, path and query parameters
 * as what they are once parsed (`io: output`: `?limit=` is an integer
 * between bounds, a serial lower-case hex). A schema that JSON Schema
 * cannot express (a transform with nothing describing its result) fails
 * the build of the document, not the reader.
 */
class SchemaWriter {
  readonly schemas: Record<string, JsonSchema> = {};

  write(schema: z.ZodType, io: 'input' | 'output', register = true): JsonSchema {
    const { $schema: _dialect, $defs, ...rest } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'throw',
      override: dateTimeWithoutPattern,
    }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    if (register) {
      for (const [id, def] of Object.entries($defs ?? {})) {
        const json = toComponents(def);
        const known = this.schemas[id];
        if (known && JSON.stringify(known) !== JSON.stringify(json)) {
          throw new Error(`OpenAPI: the schema "${id}" reads differently where it is used (a request and an answer?); give one of them another id`);
        }
        this.schemas[id] = json;
      }
    }
    return toComponents(rest);
  }

  parameters(place: Parameter['in'], schema: z.ZodType | undefined): Parameter[] {
    if (!schema) return [];
    const out = this.write(schema, 'output');
    const required = new Set((this.write(schema, 'input', false).required as string[] | undefined) ?? []);
    const properties = (out.properties ?? {}) as Record<string, JsonSchema>;
    return Object.entries(properties).map(([name, s]) => {
      const { description, ...rest } = s;
      return {
        name,
        in: place,
        ...(typeof description === 'string' ? { description } : {}),
        ...(place === 'path' || required.has(name) ? { required: true } : {}),
        schema: rest,
      };
    });
  }

  answer(a: AnswerSpec): Response {
    return {
      description: a.description,
      ...(a.headers
        ? { headers: Object.fromEntries(Object.entries(a.headers).map(([n, h]) => [n, { description: h.description, schema: this.write(h.schema, 'output'), ...(h.required ? { required: true } : {}) }])) }
        : {}),
      ...(a.content ? { content: Object.fromEntries(Object.entries(a.content).map(([media, s]) => [media, { schema: this.write(s, 'output') }])) } : {}),
    };
  }
}

function operation<X extends object>(w: SchemaWriter, r: RouteSpec<X>, shared: (name: string) => Ref): Operation & X {
  const inPath = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
  const declared = Object.keys(r.params?.shape ?? {}).sort();
  if (inPath.join() !== declared.join()) throw new Error(`OpenAPI: ${r.method.toUpperCase()} ${r.path} declares path parameters [${declared}]`);
  const parameters = [...w.parameters('path', r.params), ...w.parameters('query', r.query), ...w.parameters('header', r.headers)];
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: r.tags,
    ...(r.extensions as X),
    ...(parameters.length ? { parameters } : {}),
    ...(r.body
      ? {
          requestBody: {
            required: r.body.required,
            ...(r.body.description ? { description: r.body.description } : {}),
            content: Object.fromEntries(Object.entries(r.body.content).map(([media, s]) => [media, { schema: w.write(s, 'input') }])),
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(r.responses).map(([status, a]) => [status, typeof a === 'string' ? shared(a) : w.answer(a)])),
  };
}

/** The document for a route table; throws when two routes collide or a path parameter is not described. */
export function buildOpenApiDocument<X extends object = object>(spec: DocumentSpec<X>): OpenApiDocument<X> {
  const w = new SchemaWriter();
  const paths: Record<string, PathItem<X>> = {};
  for (const r of spec.routes) {
    const item = (paths[r.path] ??= {});
    if (item[r.method]) throw new Error(`OpenAPI: ${r.method.toUpperCase()} ${r.path} is in the route table twice`);
    item[r.method] = operation(w, r, (name) => {
      if (!spec.responses[name]) throw new Error(`OpenAPI: ${r.method.toUpperCase()} ${r.path} refers to the unknown shared answer "${name}"`);
      return { $ref: `#/components/responses/${name}` };
    });
  }
  const responses = Object.fromEntries(Object.entries(spec.responses).map(([name, a]) => [name, w.answer(a)]));
  return {
    openapi: '3.1.0',
    info: spec.info,
    tags: spec.tags,
    ...(spec.security ? { security: spec.security } : {}),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(w.schemas).sort(([a], [b]) => a.localeCompare(b))),
      responses,
      ...(spec.securitySchemes ? { securitySchemes: spec.securitySchemes } : {}),
    },
  };
}
