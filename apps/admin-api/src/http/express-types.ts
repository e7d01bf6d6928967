import { type Principal } from '@signet/contracts';
import { type HttpRequest } from '@signet/http';

/** A request as admin-api's guard leaves it (the other Express types are in @signet/http). */
export interface AdminRequest extends HttpRequest {
  /** Set by AuthGuard once the bearer token is authenticated. */
  principal?: Principal;
}
