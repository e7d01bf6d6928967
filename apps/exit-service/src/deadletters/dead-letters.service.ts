import { Logger } from '@nestjs/common';
import { ErrorCode, SignetError, type DeadLetter } from '@signet/contracts';
import { type ModuleRunner } from '../delivery/module-runner';
import { type DeadLetterStore } from './dead-letter.store';

/**
 * What an administrator does with dead letters: list them, and replay one
 * after fixing the cause. A replay runs the module once on the original
 * event (same event id, so receivers still deduplicate) and removes the
 * dead letter when it succeeds; a failed replay leaves it in place.
 */
export class DeadLettersService {
  private readonly log = new Logger('DeadLetters');

  constructor(
    private readonly store: DeadLetterStore,
    private readonly runners: ReadonlyMap<string, ModuleRunner>,
  ) {}

  list(req: { module?: string; limit: number }): Promise<DeadLetter[]> {
    return this.store.list(req);
  }

  async replay(id: string, actor: string): Promise<{ id: string; replayed: boolean; result: string }> {
    const stored = await this.store.get(id);
    if (!stored) throw new SignetError(ErrorCode.NotFound, `dead letter ${id} not found`, { id });
    const runner = this.runners.get(stored.deadLetter.module);
    if (!runner) throw new SignetError(ErrorCode.WrongState, `module ${stored.deadLetter.module} is not enabled in this exit-service; enable it to replay`, { id }, false);
    const result = await runner.attempt(stored.event, stored.deadLetter.attempts + 1);
    if (!result.ok) {
      this.log.warn(`dead letter ${id} (${stored.deadLetter.module}, event ${stored.event.id}) replayed by ${actor}: failed again: ${result.error}`);
      return { id, replayed: false, result: `failed: ${result.error}` };
    }
    await this.store.remove(id);
    this.log.log(`dead letter ${id} (${stored.deadLetter.module}, event ${stored.event.id}) replayed by ${actor}: delivered`);
    return { id, replayed: true, result: 'delivered' };
  }
}
