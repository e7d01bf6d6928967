/*
 * The subset of OpenAPI 3.1 this service's document uses, typed so that a
 * misspelt key fails the build rather than the reader.
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

/** Signet extension: who may call the operation (mirrors the route's access decorator; a test compares them). */
export type AccessDoc = { kind: 'public' } | { kind: 'read' | 'manage'; roles: readonly string[] };

export interface Operation {
  operationId: string;
  'x-signet-access': AccessDoc;
  security?: Record<string, string[]>[];
  summary: string;
  description?: string;
  tags: string[];
  parameters?: (Parameter | Ref)[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, Response | Ref>;
}

export type PathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Operation>>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  security: Record<string, string[]>[];
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, Response>;
    parameters: Record<string, Parameter>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
  };
}
