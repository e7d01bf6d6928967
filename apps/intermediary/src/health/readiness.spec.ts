import { caRecord } from '../../test/ca-record';
import { assessReadiness, type ReadinessInput } from './readiness';

const ca = (name: string, policy: boolean, isDefault = false) => caRecord(name, { policy, isDefault });

describe('assessReadiness (what /readyz says)', () => {
  it.each<[string, ReadinessInput, Record<string, string>]>([
    ['ok/bus, default CA with its policy; exit-service not required', { bus: true, cas: [ca('a', true)] }, { bus: 'ready', ca: 'ready', policy: 'ready', exitService: 'not required' }],
    ['ok/exit-service required and answering', { bus: true, cas: [ca('a', true)], exitService: 'ready' }, { bus: 'ready', ca: 'ready', policy: 'ready', exitService: 'ready' }],
    ['ok/HTTPS off: tls not required', { bus: true, cas: [ca('a', true)] }, { tls: 'not required' }],
    ['ok/HTTPS on with its certificate', { bus: true, cas: [ca('a', true)], tls: 'ready' }, { tls: 'ready' }],
    ['ok/ACME off: acme not required', { bus: true, cas: [ca('a', true)] }, { acme: 'not required' }],
    ['ok/ACME on and its database answering', { bus: true, cas: [ca('a', true)], acme: 'ready' }, { acme: 'ready' }],
    ['ok/the configured default is judged, not another CA', { bus: true, cas: [ca('a', false), ca('b', true)], configuredDefault: 'b' }, { ca: 'ready', policy: 'ready' }],
  ])('%s', (_n, input, components) => {
    const r = assessReadiness(input);
    expect(r).toMatchObject({ ready: true, reason: undefined });
    expect(r.components).toMatchObject(components);
  });

  it.each<[string, ReadinessInput, string, Record<string, string | RegExp>]>([
    ['fail/bus down: nothing else is checked', { bus: false, exitService: 'ready' }, 'bus: the bus is not connected', { ca: 'not checked (bus is not ready)', policy: 'not checked (bus is not ready)', exitService: 'not checked (bus is not ready)' }],
    ['fail/no CA on the bus', { bus: true, cas: [] }, 'ca: no CA discovered on the bus', { policy: 'not checked (ca is not ready)' }],
    ['fail/the configured default CA is not there (another is)', { bus: true, cas: [ca('a', true)], configuredDefault: 'b' }, 'ca: the default CA "b" does not answer on the bus', { policy: 'not checked (ca is not ready)' }],
    ['fail/key loaded, policy module not initialized yet', { bus: true, cas: [ca('a', false)] }, 'policy: CA "a" has not initialized its policy module yet', { ca: 'ready' }],
    ['fail/the declared default lacks its policy (another CA has one)', { bus: true, cas: [ca('a', true), ca('b', false, true)] }, 'policy: CA "b" has not initialized its policy module yet', {}],
    ['fail/several CAs and none the default: never a guess', { bus: true, cas: [ca('b', true), ca('a', true)] }, 'ca: several CAs are on the bus and none is the default (a, b): set SIGNET_DEFAULT_CA', { policy: 'not checked (ca is not ready)' }],
    ['fail/exit-service required and silent', { bus: true, cas: [ca('a', true)], exitService: 'exit-service is not serving exit.a.status' }, 'exitService: exit-service is not serving exit.a.status', { policy: 'ready' }],
    ['fail/HTTPS on and no certificate yet', { bus: true, cas: [ca('a', true)], tls: 'waiting for its certificate' }, 'tls: waiting for its certificate', { policy: 'ready', tls: 'waiting for its certificate' }],
    ['fail/bus down, tls still reported', { bus: false, tls: 'waiting' }, 'bus: the bus is not connected', { tls: 'waiting' }],
    ['fail/ACME on and its database silent', { bus: true, cas: [ca('a', true)], acme: 'the ACME database does not answer (refused)' }, 'acme: the ACME database does not answer (refused)', { policy: 'ready', tls: 'not required' }],
    ['fail/bus down, the ACME database still judged', { bus: false, acme: 'ready' }, 'bus: the bus is not connected', { acme: 'ready' }],
    ['fail/HTTPS and ACME both not ready: tls named first, acme reported', { bus: true, cas: [ca('a', true)], tls: 'waiting', acme: 'silent' }, 'tls: waiting', { acme: 'silent' }],
    ['fail/policy first, exit-service also named', { bus: true, cas: [ca('a', false)], exitService: 'silent' }, 'policy: CA "a" has not initialized its policy module yet', { exitService: 'silent' }],
  ])('%s', (_n, input, reason, components) => {
    const r = assessReadiness(input);
    expect(r.ready).toBe(false);
    expect(r.reason).toBe(reason);
    expect(r.components).toMatchObject(components);
  });
});
