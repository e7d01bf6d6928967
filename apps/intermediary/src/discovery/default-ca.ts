import { type CaRecord } from '@signet/contracts';

/** Why a CA is the default, so operators can tell config from a CA's own claim. */
export type DefaultSource = 'configured' | 'declared' | 'first';

export interface DefaultChoice {
  name: string;
  source: DefaultSource;
}

/**
 * ICertConfig::GetConfig(CC_DEFAULTCONFIG): the configured CA when set,
 * else the CA that declares itself default (the first by name if several
 * do), else the first CA by name. Pure: the caller passes what it found.
 * A configured default is returned even when it was not discovered; the
 * caller decides that this means "unavailable".
 */
export function chooseDefaultCa(cas: readonly CaRecord[], configured?: string): DefaultChoice | undefined {
  if (configured) return { name: configured, source: 'configured' };
  const byName = [...cas].sort((a, b) => a.name.localeCompare(b.name));
  const declared = byName.find((c) => c.isDefault);
  if (declared) return { name: declared.name, source: 'declared' };
  return byName[0] ? { name: byName[0].name, source: 'first' } : undefined;
}
