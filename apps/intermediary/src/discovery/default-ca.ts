import { type CaRecord } from '@signet/contracts';

/**
 * Why a CA is the default, so operators can tell config from a CA's own
 * claim. `first` is the only CA on the bus (the name is kept for clients
 * that read it; there is no "first of several" any more).
 */
export type DefaultSource = 'configured' | 'declared' | 'first';

export interface DefaultChoice {
  name: string;
  source: DefaultSource;
}

/** No default can be told apart: the CAs a caller must choose from, and why. */
export interface NoDefault {
  reason: 'several' | 'several-declared';
  /** Sorted by name. */
  candidates: string[];
}

/**
 * ICertConfig::GetConfig(CC_DEFAULTCONFIG): the configured CA when set,
 * else the one CA that declares itself default, else the only CA on the
 * bus. Several CAs and none of them (or more than one) declared: no default,
 * never "the first by name", which would send a request to whichever CA
 * happens to sort first on a shared bus. Pure: the caller passes what it
 * found. A configured default is returned even when it was not discovered;
 * the caller decides that this means "unavailable". Undefined: no CA at all.
 */
export function chooseDefaultCa(cas: readonly CaRecord[], configured?: string): DefaultChoice | NoDefault | undefined {
  if (configured) return { name: configured, source: 'configured' };
  const names = cas.map((c) => c.name).sort((a, b) => a.localeCompare(b));
  const declared = cas.filter((c) => c.isDefault).map((c) => c.name).sort((a, b) => a.localeCompare(b));
  if (declared.length === 1) return { name: declared[0], source: 'declared' };
  if (declared.length > 1) return { reason: 'several-declared', candidates: declared };
  if (names.length === 1) return { name: names[0], source: 'first' };
  if (names.length > 1) return { reason: 'several', candidates: names };
  return undefined;
}

export function isChoice(d: DefaultChoice | NoDefault | undefined): d is DefaultChoice {
  return d !== undefined && 'name' in d;
}

/** Why there is no default CA, in a sentence. */
export function noDefaultReason(d: NoDefault): string {
  return d.reason === 'several-declared'
    ? 'several CAs declare themselves the default (SIGNET_CA_DEFAULT)'
    : 'several CAs are on the bus and none is the default';
}
