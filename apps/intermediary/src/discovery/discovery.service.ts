import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { discoverCas } from '@signet/bus';
import { ErrorCode, SignetError, type CaRecord } from '@signet/contracts';
import { CONFIG, type IntermediaryConfig } from '../config/config';
import { NATS_CONNECTION } from '../bus/ca-client';
import { chooseDefaultCa, isChoice, type DefaultChoice, type DefaultSource, type NoDefault, noDefaultReason } from './default-ca';

interface Snapshot {
  cas: CaRecord[];
  at: number;
}

/**
 * ICertConfig over the bus: a scatter-gather on the discovery subject,
 * cached for SIGNET_DISCOVERY_TTL_MS. A stale list is served while a fresh
 * one is gathered in the background; an empty or missing list, or a miss
 * for a named CA, waits for a fresh round. Concurrent refreshes share one
 * round, which also bounds how often strangers' CA names can make us ask.
 */
@Injectable()
export class DiscoveryService implements OnApplicationBootstrap {
  private readonly log = new Logger('Discovery');
  private snapshot?: Snapshot;
  private inflight?: Promise<CaRecord[]>;
  /** Every CA name any discovery round found since start (bounded by the CAs that exist, not by what clients ask). */
  private readonly seen = new Set<string>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONFIG) private readonly config: IntermediaryConfig,
  ) {}

  /** Warms the cache so the first client does not wait for a discovery round. */
  onApplicationBootstrap(): void {
    this.refreshInBackground();
  }

  /** Every CA on the bus, sorted by name. */
  async list(): Promise<CaRecord[]> {
    const s = this.snapshot;
    if (!s) return this.refresh();
    if (Date.now() - s.at < this.config.discovery.ttlMs) return s.cas;
    if (s.cas.length === 0) return this.refresh();
    this.refreshInBackground();
    return s.cas;
  }

  /** Every CA on the bus as of at most the TTL ago: never a stale list (readiness must not say yes from one). */
  async fresh(): Promise<CaRecord[]> {
    const s = this.snapshot;
    if (s && Date.now() - s.at < this.config.discovery.ttlMs) return s.cas;
    return this.refresh();
  }

  /** One CA by name; asks the bus again before concluding it is not there. */
  async find(name: string): Promise<CaRecord | undefined> {
    const hit = (await this.list()).find((c) => c.name === name);
    if (hit) return hit;
    return (await this.refresh()).find((c) => c.name === name);
  }

  /**
   * Whether a CA of this name exists as far as this intermediary can tell:
   * it answers discovery now, or did since start. A CA that answered once
   * and is away now (ca-core restarting) is unavailable, not unknown.
   */
  async known(name: string): Promise<boolean> {
    return this.seen.has(name) || (await this.find(name)) !== undefined;
  }

  /** The default CA's name and why, among the CAs found now; or the CAs to choose from when none is. */
  async defaultChoice(): Promise<DefaultChoice | NoDefault | undefined> {
    return chooseDefaultCa(await this.list(), this.config.defaultCa);
  }

  /**
   * The CA a client call goes to: the named one (404 UNKNOWN_CA when no CA
   * answers to that name) or the default (400 CA_REQUIRED when several CAs
   * leave no default, 503 when there is none to use).
   */
  async resolve(requested?: string): Promise<CaRecord> {
    if (requested === undefined) return (await this.resolveDefault()).ca;
    const rec = await this.find(requested);
    if (!rec) throw new SignetError(ErrorCode.UnknownCa, `no CA named "${requested}" is known`, { ca: requested });
    return rec;
  }

  /** CC_DEFAULTCONFIG: the default CA's record and why it is the default. */
  async resolveDefault(): Promise<{ ca: CaRecord; source: DefaultSource }> {
    let choice = await this.defaultChoice();
    // The list may be up to a TTL old: ask the bus again before telling a caller to choose.
    if (choice !== undefined && !isChoice(choice)) choice = chooseDefaultCa(await this.refresh(), this.config.defaultCa);
    if (!choice) throw new SignetError(ErrorCode.CaUnavailable, 'no CA is available');
    if (!isChoice(choice)) throw caRequired(choice);
    const rec = await this.find(choice.name);
    if (!rec) throw new SignetError(ErrorCode.CaUnavailable, `the default CA "${choice.name}" is not available`, { ca: choice.name });
    return { ca: rec, source: choice.source };
  }

  /** Forces a discovery round (shared with any round already running). */
  refresh(): Promise<CaRecord[]> {
    if (!this.inflight) {
      this.inflight = this.gather().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private refreshInBackground(): void {
    this.refresh().catch((e: unknown) => this.log.warn(`discovery failed: ${(e as Error)?.message ?? String(e)}`));
  }

  private async gather(): Promise<CaRecord[]> {
    if (this.nc.isClosed() || this.nc.isDraining()) return this.snapshot?.cas ?? [];
    const cas = await discoverCas(this.nc, this.config.discovery.waitMs);
    const before = new Set(this.snapshot?.cas.map((c) => c.name) ?? []);
    const added = cas.filter((c) => !before.has(c.name)).map((c) => c.name);
    const gone = [...before].filter((n) => !cas.some((c) => c.name === n));
    if (added.length || gone.length) {
      this.log.log(`CAs on the bus: ${cas.map((c) => c.name).join(', ') || '(none)'}`);
      const choice = chooseDefaultCa(cas, this.config.defaultCa);
      if (choice !== undefined && !isChoice(choice)) this.log.warn(`${noDefaultReason(choice)}: requests that name no CA are refused (CA_REQUIRED) until SIGNET_DEFAULT_CA is set`);
    }
    this.snapshot = { cas, at: Date.now() };
    for (const c of cas) this.seen.add(c.name);
    return cas;
  }
}

/** How many CA names an error message lists; `details.cas` carries up to MAX_LISTED_IN_DETAILS. */
const MAX_LISTED = 20;
const MAX_LISTED_IN_DETAILS = 100;

/** 400 CA_REQUIRED: the caller names a CA, or the operator configures a default; never a guess. */
function caRequired(d: NoDefault): SignetError {
  const shown = d.candidates.slice(0, MAX_LISTED).join(', ');
  const more = d.candidates.length > MAX_LISTED ? ` and ${d.candidates.length - MAX_LISTED} more` : '';
  return new SignetError(
    ErrorCode.CaRequired,
    `${noDefaultReason(d)}: name one with "ca" (in the body or ?ca=), or set SIGNET_DEFAULT_CA on the intermediary; CAs: ${shown}${more}`,
    { cas: d.candidates.slice(0, MAX_LISTED_IN_DETAILS) },
  );
}
