import { ErrorCode, SignetError } from '@signet/contracts';
import { mediaType, type Middleware } from '@signet/http';

/** Body media types admin-api reads: JSON everywhere, text/plain for the AD CS attribute string. */
export const ACCEPTED_BODY_TYPES: readonly string[] = ['application/json', 'text/plain'];

/**
 * A body of any other type would be silently ignored by the parsers and
 * the call would run as if no body had been sent; refuse it instead (415).
 */
export function requireKnownBodyType(): Middleware {
  return (req, _res, next) => {
    const length = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    const type = mediaType(req.headers['content-type']);
    if (hasBody && (!type || !ACCEPTED_BODY_TYPES.includes(type))) {
      next(new SignetError(ErrorCode.UnsupportedMediaType, `Content-Type must be one of ${ACCEPTED_BODY_TYPES.join(', ')}`));
      return;
    }
    next();
  };
}
