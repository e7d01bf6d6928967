import { str, whole, type Verb } from '../command';
import { ExitCode } from '../exit-codes';
import { json, keyValues, second, table } from '../output';

interface DeadLetter {
  id: string;
  module: string;
  eventId: string;
  event: string;
  requestId?: number;
  attempts: number;
  lastError: string;
  failedAt: string;
}

/** Events an exit module gave up on (exit-service's dead letters), as admin-api lists them. */
export const deadLetterList: Verb = {
  name: 'dead-letter list',
  summary: 'Events an exit module gave up on, oldest first (ca-admin, officer)',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {
    module: { type: 'string', value: 'name', description: 'only this exit module' },
    limit: { type: 'string', value: 'n', description: 'at most this many (1-1000, default 100)' },
  },
  async run(ctx) {
    const q = new URLSearchParams();
    const module = str(ctx.values, 'module');
    const limit = whole(ctx.values, 'limit', 1, 1000);
    if (module) q.set('module', module);
    if (limit) q.set('limit', limit);
    const body = (await ctx.http.admin<{ deadLetters: DeadLetter[] }>('/api/v1/dead-letters', { query: q })).body;
    if (ctx.json) ctx.io.out(json(body));
    else {
      ctx.io.out(
        table(
          ['ID', 'Module', 'Event', 'Request', 'Attempts', 'Failed at', 'Last error'],
          body.deadLetters.map((d) => [d.id, d.module, d.event, d.requestId, d.attempts, second(d.failedAt), d.lastError]),
        ),
      );
    }
    return ExitCode.Ok;
  },
};

/** Hands a dead letter's event to its module again; the dead letter goes once delivered. */
export const deadLetterReplay: Verb = {
  name: 'dead-letter replay',
  summary: 'Deliver a dead letter to its exit module again (ca-admin)',
  args: '<id>',
  positionals: { min: 1, max: 1 },
  options: {},
  help: 'Exit 0 when the module took it (the dead letter is removed), 1 when it failed again (the dead letter stays; the reason is printed), 5 for an unknown id.',
  async run(ctx) {
    const id = ctx.positionals[0];
    const body = (await ctx.http.admin<{ id: string; replayed: boolean; result: string }>(`/api/v1/dead-letters/${encodeURIComponent(id)}/replay`, { method: 'POST' })).body;
    if (ctx.json) ctx.io.out(json(body));
    else ctx.io.out(keyValues([['Dead letter', body.id], ['Replayed', body.replayed ? 'yes' : 'no'], ['Result', body.result]]));
    return body.replayed ? ExitCode.Ok : ExitCode.Error;
  },
};

export const deadLetterDiscard: Verb = {
  name: 'dead-letter discard',
  summary: 'Drop a dead letter without delivering it (ca-admin)',
  args: '<id>',
  positionals: { min: 1, max: 1 },
  options: {},
  help: 'For an event the module should never get (it will not work, or it no longer matters). The CA keeps the request, the certificate and the audit record. Exit 5 for an unknown id.',
  async run(ctx) {
    const body = (await ctx.http.admin<{ id: string; module: string; eventId: string }>(`/api/v1/dead-letters/${encodeURIComponent(ctx.positionals[0])}`, { method: 'DELETE' })).body;
    if (ctx.json) ctx.io.out(json(body));
    else ctx.io.out(keyValues([['Discarded', body.id], ['Module', body.module], ['Event', body.eventId]]));
    return ExitCode.Ok;
  },
};

/** Replays a module's dead letters in rounds (each about 4 s at the server) until none remain or one fails again. */
export const deadLetterReplayAll: Verb = {
  name: 'dead-letter replay-all',
  summary: "Deliver one module's dead letters again, oldest first, once its receiver is fixed (ca-admin)",
  args: '<module>',
  positionals: { min: 1, max: 1 },
  options: {},
  help: 'Stops at the first one that fails again (it stays; the reason is printed). Exit 0 when none remain, 1 when one failed again.',
  async run(ctx) {
    const module = ctx.positionals[0];
    let replayed = 0;
    let last: { replayed: number; failed: { id: string; result: string } | null; remaining: number };
    do {
      last = (await ctx.http.admin<typeof last>('/api/v1/dead-letters/replay-all', { method: 'POST', body: { module, limit: 1000 } })).body;
      replayed += last.replayed;
    } while (!last.failed && last.remaining > 0 && last.replayed > 0);
    const out = { module, replayed, failed: last.failed, remaining: last.remaining };
    if (ctx.json) ctx.io.out(json(out));
    else ctx.io.out(keyValues([['Module', module], ['Replayed', replayed], ['Failed again', last.failed ? `${last.failed.id}: ${last.failed.result}` : undefined], ['Remaining', last.remaining]]));
    return last.failed ? ExitCode.Error : ExitCode.Ok;
  },
};

interface ExitModuleStatus {
  name: string;
  description: string;
  events: { event: string; consumer: string; pending: number; inFlight: number; redelivered: number; lastDelivered: string | null }[];
  deadLetters: number;
}

/** How far behind exit-service's modules are (EJBCA's publisher queue), from their durable consumers. */
export const exitModules: Verb = {
  name: 'exit-modules',
  summary: "How far behind exit-service's modules are: events waiting, in delivery, dead letters",
  args: '',
  positionals: { min: 0, max: 0 },
  options: {},
  help: 'One line per module and event. Waiting: not yet given to the module; in delivery: given, not yet done (or waiting for a retry). Modules run by other processes are not listed.',
  async run(ctx) {
    const body = (await ctx.http.admin<{ modules: ExitModuleStatus[] }>('/api/v1/exit-modules')).body;
    if (ctx.json) ctx.io.out(json(body));
    else {
      ctx.io.out(
        table(
          ['Module', 'Event', 'Waiting', 'In delivery', 'Redelivered', 'Last delivered', 'Dead letters'],
          body.modules.flatMap((m) => m.events.map((e, i) => [m.name, e.event, e.pending, e.inFlight, e.redelivered, e.lastDelivered ? second(e.lastDelivered) : '-', i === 0 ? m.deadLetters : ''])),
        ),
      );
    }
    return ExitCode.Ok;
  },
};
