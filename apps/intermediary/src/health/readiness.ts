import { type CaRecord } from '@signet/contracts';
import { chooseDefaultCa, isChoice, noDefaultReason } from '../discovery/default-ca';

/**
 * What /readyz decides from (ADR 0020): "ready" means a client request sent
 * now is handled by the whole CA, not parked or refused:
 *  1. bus: NATS answers a ping;
 *  2. ca: the default CA answers discovery (ca-core serves only once its
 *     key is loaded);
 *  3. policy: that CA has initialized its policy module (its record says
 *     `online`; `no-policy` would park submissions as POLICY_UNAVAILABLE);
 *  4. exitService: when required (SIGNET_READY_EXIT_SERVICE), exit-service
 *     serves `exit.<ca>.status` (it subscribes only after its modules'
 *     consumers are bound; an answer or a busy silence both count);
 *  5. tls: with HTTPS on, the intermediary has its certificate and serves
 *     HTTPS (ADR 0029);
 *  6. acme: with ACME on, its database answers (ADR 0035).
 * Pure: the probes' results come in, the verdict goes out.
 */
export const COMPONENTS = ['bus', 'ca', 'policy', 'exitService', 'tls', 'acme'] as const;
export type Component = (typeof COMPONENTS)[number];

/** `ready`, `not required`, or why not (`not checked: …` when an earlier one failed). */
export type ComponentStatus = string;

export interface ReadinessInput {
  bus: boolean;
  /** The CAs discovery found (undefined when the bus is down). */
  cas?: readonly CaRecord[];
  /** SIGNET_DEFAULT_CA. */
  configuredDefault?: string;
  /** exit-service's answer: undefined when not required, else 'ready' or why not. */
  exitService?: string;
  /** The HTTPS listener: undefined when HTTPS is off, else 'ready' or why not. */
  tls?: string;
  /** The ACME database: undefined when ACME is off, else 'ready' or why not. */
  acme?: string;
}

export interface Readiness {
  ready: boolean;
  /** The default CA, when one is known. */
  ca?: string;
  /** The first component that is not ready, and why (what /readyz's message says). */
  reason?: string;
  components: Record<Component, ComponentStatus>;
}

export const READY = 'ready';

export function assessReadiness(input: ReadinessInput): Readiness {
  const components = {} as Record<Component, ComponentStatus>;
  let reason: string | undefined;
  const fail = (c: Component, why: string) => {
    components[c] = why;
    reason ??= `${c}: ${why}`;
  };
  const skip = (c: Component, because: Component) => (components[c] = `not checked (${because} is not ready)`);

  // Neither depends on the bus: each is judged whatever the others say.
  const local = () => {
    for (const c of ['tls', 'acme'] as const) {
      const status = input[c];
      if (status === undefined) components[c] = 'not required';
      else if (status === READY) components[c] = READY;
      else fail(c, status);
    }
  };

  if (!input.bus) {
    fail('bus', 'the bus is not connected');
    for (const c of ['ca', 'policy', 'exitService'] as const) skip(c, 'bus');
    local();
    return { ready: false, reason, components };
  }
  components.bus = READY;

  const cas = input.cas ?? [];
  const found = chooseDefaultCa(cas, input.configuredDefault);
  const choice = isChoice(found) ? found : undefined;
  const record = choice && cas.find((c) => c.name === choice.name);
  if (!found) fail('ca', 'no CA discovered on the bus');
  else if (!isChoice(found)) fail('ca', `${noDefaultReason(found)} (${found.candidates.join(', ')}): set SIGNET_DEFAULT_CA`);
  else if (!record) fail('ca', `the default CA "${found.name}" does not answer on the bus`);
  else components.ca = READY;

  if (!record) skip('policy', 'ca');
  else if (record.status !== 'online' || !record.policy) fail('policy', `CA "${record.name}" has not initialized its policy module yet`);
  else components.policy = READY;

  if (input.exitService === undefined) components.exitService = 'not required';
  else if (!record) skip('exitService', 'ca');
  else if (input.exitService === READY) components.exitService = READY;
  else fail('exitService', input.exitService);

  local();
  return { ready: reason === undefined, ca: choice?.name, reason, components };
}
