import { type LoggerService } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type AddressInfo } from 'node:net';
import { type OpenApiDocument } from './openapi';

/*
 * Helpers for the services' HTTP integration tests: pure functions and a
 * logger, no test framework, so they build with the library.
 */

/** Collects log lines, to check what the access log says (and never says). */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, context?: string): void {
    this.lines.push(`${context ?? ''} ${String(message)}`);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push(`ERROR ${String(message)} ${rest.map(String).join(' ')}`);
  }
  warn(message: unknown, context?: string): void {
    this.lines.push(`WARN ${context ?? ''} ${String(message)}`);
  }
}

/** Listens on a random loopback port; answers a URL builder for it. */
export async function listenForTests(app: NestExpressApplication): Promise<(path: string) => string> {
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return (path) => `http://127.0.0.1:${port}${path}`;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route Nest registered on Express, as `METHOD /path/{param}`, sorted. */
export function registeredRoutes(app: NestExpressApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  return express.router.stack
    .filter((l) => l.route)
    .flatMap((l) =>
      Object.keys(l.route!.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
    )
    .sort();
}

/** Every operation of an OpenAPI document, as `METHOD /path/{param}`, sorted. */
export function documentedRoutes(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

/** Every local `$ref` in a (served) document, and whether it resolves. */
export function resolveRefs(doc: Record<string, unknown>): { ref: string; found: boolean }[] {
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]!);
  return refs.map((ref) => ({
    ref,
    found: ref.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc) !== undefined,
  }));
}

/**
 * For each operation, whether it documents a success answer; for each of
 * its error answers, whether it has the error shape (a shared response or
 * a JSON body).
 */
export function answerShapes(doc: OpenApiDocument): {
  successes: { route: string; success: boolean }[];
  errors: { route: string; status: string; shaped: boolean }[];
} {
  const successes: { route: string; success: boolean }[] = [];
  const errors: { route: string; status: string; shaped: boolean }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const route = `${method.toUpperCase()} ${path}`;
      successes.push({ route, success: Object.keys(op!.responses).some((s) => s.startsWith('2')) });
      for (const [status, answer] of Object.entries(op!.responses)) {
        if (Number(status) < 400) continue;
        // OCSP answers every error as an OCSPResponse (RFC 6960 2.3), never as JSON: that is its shape.
        // EST answers errors as text (RFC 7030 §4.2.3), which its clients show to the device's operator.
        const shaped =
          '$ref' in answer
            ? answer.$ref.startsWith('#/components/responses/')
            : answer.content?.['application/json'] !== undefined ||
              answer.content?.['application/ocsp-response'] !== undefined ||
              (path.startsWith('/.well-known/est/') && answer.content?.['text/plain'] !== undefined);
        errors.push({ route, status, shaped });
      }
    }
  }
  return { successes, errors };
}
