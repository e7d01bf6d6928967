import { Catch, type ExceptionFilter, type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';
import { BusServer, type BusServerOptions } from './server';

/**
 * Nest's default RPC filter replaces every non-RpcException with a generic
 * object, which would erase our typed SignetError. This one passes errors
 * through untouched; BusServer decides what the caller may see.
 */
@Catch()
export class PassThroughRpcFilter implements ExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/** Creates a Nest microservice that serves contract commands over BusServer. */
export async function createBusMicroservice(
  module: unknown,
  opts: BusServerOptions & { logger?: LoggerService | false },
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(module as never, {
    strategy: new BusServer(opts),
    logger: opts.logger,
  });
  app.useGlobalFilters(new PassThroughRpcFilter());
  return app;
}
