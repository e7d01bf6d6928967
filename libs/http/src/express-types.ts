import { type IncomingMessage, type ServerResponse } from 'node:http';

/*
 * The few Express request/response members the HTTP services use. The
 * workspace has no @types/express; declaring them here keeps the code typed
 * without it. A service that adds members to the request (admin-api's
 * principal) extends HttpRequest.
 */

export interface HttpRequest extends IncomingMessage {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Express 5's "simple" query parser: a repeated key gives an array. */
  query: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
  body?: unknown;
  /** The client's address: the socket's peer, or what X-Forwarded-For says when the app trusts that proxy (`trust proxy`). */
  ip?: string;
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

/** An Express middleware as these services write them. */
export type Middleware = (req: HttpRequest, res: HttpResponse, next: NextFunction) => void;
