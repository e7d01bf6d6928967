import { type Principal } from '@signet/contracts';
import { type IncomingMessage, type ServerResponse } from 'node:http';

/*
 * The few Express request/response members this app uses. The workspace has
 * no @types/express; declaring them here keeps the code typed without it.
 */

export interface HttpRequest extends IncomingMessage {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Express 5's "simple" query parser: a repeated key gives an array. */
  query: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
  body?: unknown;
  /** Set by AuthGuard once the bearer token is authenticated. */
  principal?: Principal;
}

export interface HttpResponse extends ServerResponse {
  locals: Record<string, unknown>;
  status(code: number): this;
  set(headers: Record<string, string>): this;
  type(contentType: string): this;
  json(body: unknown): this;
  send(body: string | Buffer): this;
}

export type NextFunction = (err?: unknown) => void;
