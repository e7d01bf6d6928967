import { type Components, type OpenApiDocument, type Operation } from '@signet/http';

/*
 * admin-api's additions to the shared OpenAPI types of @signet/http: bearer
 * security, and who may call each operation.
 */

/** Signet extension: who may call the operation (mirrors the route's access decorator; a test compares them). */
export type AccessDoc = { kind: 'public' } | { kind: 'read' | 'manage'; roles: readonly string[] };

export interface AdminOperation extends Operation {
  'x-signet-access': AccessDoc;
  security?: Record<string, string[]>[];
}

export interface AdminOpenApiDocument extends OpenApiDocument<AdminOperation> {
  security: Record<string, string[]>[];
  components: Components & {
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
  };
}
