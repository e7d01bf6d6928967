import { type ExitEvent } from '@signet/contracts';

/**
 * The durable consumer of one (module, event) pair on SIGNET_EVENTS:
 * `exit_<ca>_<module>_<event>`, dots turned into "-" / "_" because consumer
 * names are one subject token. One consumer per event because nats-server
 * 2.9 allows one filter subject per consumer; every replica of a module
 * binds the same durable, so they share the work.
 */
export function durableName(ca: string, module: string, event: ExitEvent): string {
  return `exit_${ca}_${module.replace(/\./g, '_')}_${event.replace(/\./g, '-')}`;
}
