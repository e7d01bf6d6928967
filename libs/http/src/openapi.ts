/*
 * The subset of OpenAPI 3.1 the services' documents use, typed so that a
 * misspelt key fails the build rather than the reader, and the small
 * builders every document repeats. What a document says stays in its app.
 */

export interface Ref {
  $ref: string;
}

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null' | Array<'string' | 'integer' | 'number' | 'boolean' | 'null' | 'array'>;
  description?: string;
  properties?: Record<string, Schema | Ref>;
  required?: string[];
  additionalProperties?: boolean | Schema | Ref;
  maxProperties?: number;
  items?: Schema | Ref;
  maxItems?: number;
  enum?: readonly (string | number)[];
  default?: unknown;
  const?: string | number | boolean;
  oneOf?: (Schema | Ref)[];
  anyOf?: (Schema | Ref)[];
  allOf?: (Schema | Ref)[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  contentMediaType?: string;
  examples?: unknown[];
}

export interface MediaType {
  schema: Schema | Ref;
  example?: unknown;
}

export interface Header {
  description: string;
  schema: Schema;
  required?: boolean;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  description: string;
  required?: boolean;
  schema: Schema | Ref;
}

export interface Response {
  description: string;
  headers?: Record<string, Header>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: (Parameter | Ref)[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, Response | Ref>;
}

/** A service whose operations carry more (security, extensions) passes its own Operation type. */
export type PathItem<Op extends Operation = Operation> = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Op>>;

export interface Components {
  schemas: Record<string, Schema>;
  responses: Record<string, Response>;
  parameters: Record<string, Parameter>;
}

export interface OpenApiDocument<Op extends Operation = Operation> {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem<Op>>;
  components: Components;
}

/** `#/components/schemas/<name>` */
export const ref = (name: string): Ref => ({ $ref: `#/components/schemas/${name}` });
/** `#/components/responses/<name>` (the shared error answers) */
export const errorRef = (name: string): Ref => ({ $ref: `#/components/responses/${name}` });
/** `#/components/parameters/<name>` */
export const paramRef = (name: string): Ref => ({ $ref: `#/components/parameters/${name}` });
/** A JSON content map for a request or response body. */
export const json = (schema: Schema | Ref) => ({ 'application/json': { schema } });
