import { Logger } from '@nestjs/common';
import { ErrorCode, SignetError, type DeadLetter } from '@signet/contracts';
import { type ModuleRunner } from '../delivery/module-runner';
import { type DeadLetterStore } from './dead-letter.store';

/**
 * How long one replay-all call starts new replays before it answers: with
 * one attempt that may run to its timeout (10 s by default) after it, the
 * answer still comes within admin-api's SIGNET_CA_TIMEOUT_MS (15 s).
 */
export const REPLAY_ALL_BUDGET_MS = 4_000;

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

  /**
   * A module's dead letters, oldest first, after its receiver was fixed:
   * until `limit` are done, one fails again (stop: the receiver is still not
   * right, and hammering it helps nobody), or the time budget is spent (the
   * bus call must come back; the caller asks again while some remain).
   */
  async replayAll(module: string, limit: number, actor: string, budgetMs = REPLAY_ALL_BUDGET_MS): Promise<{ module: string; replayed: number; failed: { id: string; result: string } | null; remaining: number }> {
    if (!this.runners.has(module)) throw new SignetError(ErrorCode.WrongState, `module ${module} is not enabled in this exit-service; enable it to replay`, { module }, false);
    const deadline = Date.now() + budgetMs;
    let replayed = 0;
    let failed: { id: string; result: string } | null = null;
    while (replayed < limit && !failed && Date.now() < deadline) {
      const batch = await this.store.list({ module, limit: Math.min(50, limit - replayed) });
      if (batch.length === 0) break;
      for (const d of batch) {
        if (Date.now() >= deadline) break;
        // Gone meanwhile (another administrator, another replica): nothing left to do for it.
        const r = await this.replay(d.id, actor).catch((e: unknown) => {
          if (e instanceof SignetError && e.code === ErrorCode.NotFound) return undefined;
          throw e;
        });
        if (!r) continue;
        if (!r.replayed) {
          failed = { id: d.id, result: r.result };
          break;
        }
        replayed++;
      }
    }
    const remaining = await this.store.count(module);
    this.log.log(`dead letters of ${module} replayed by ${actor}: ${replayed} delivered${failed ? `, stopped at ${failed.id} (${failed.result})` : ''}, ${remaining} remaining`);
    return { module, replayed, failed, remaining };
  }

  /** Drops a dead letter without delivering it: the administrator's decision, logged with who made it. */
  async discard(id: string, actor: string): Promise<{ id: string; module: string; eventId: string; discarded: true }> {
    const stored = await this.store.get(id);
    if (!stored || !(await this.store.remove(id))) throw new SignetError(ErrorCode.NotFound, `dead letter ${id} not found`, { id });
    const { module, eventId, event } = stored.deadLetter;
    this.log.warn(`dead letter ${id} (${module}, ${event} ${eventId}) discarded by ${actor}: the module will not get it`);
    return { id, module, eventId, discarded: true };
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
