import { Injectable } from '@nestjs/common';
import { CA_PROPERTY_NAMES, CaPropertyNameSchema, type CaPropertyName, type CaRecord } from '@signet/contracts';
import { CaClient } from '../bus/ca-client';
import { isChoice, type DefaultSource } from '../discovery/default-ca';
import { DiscoveryService } from '../discovery/discovery.service';
import { badField } from '@signet/http';

export const PEM_CHAIN_MEDIA_TYPE = 'application/pem-certificate-chain';

export interface CaList {
  /** The CA a request without `ca` goes to, and why; null when there is none (no CA, or several and no default). */
  default: { name: string; source: DefaultSource; available: boolean } | null;
  cas: CaRecord[];
}

export interface CaCertificateAnswer {
  ca: string;
  certificate: string;
  chain?: string[];
}

/** ICertConfig (discovery) and the CA reads of ICertRequest. */
@Injectable()
export class CasService {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly client: CaClient,
  ) {}

  async list(): Promise<CaList> {
    const cas = await this.discovery.list();
    const choice = await this.discovery.defaultChoice();
    return {
      default: isChoice(choice) ? { ...choice, available: cas.some((c) => c.name === choice.name) } : null,
      cas,
    };
  }

  /** CC_DEFAULTCONFIG: the record of the CA a request without `ca` would go to. */
  defaultCa(): Promise<{ source: DefaultSource; ca: CaRecord }> {
    return this.discovery.resolveDefault();
  }

  get(ca: string): Promise<CaRecord> {
    return this.discovery.resolve(ca);
  }

  async certificate(ca: string, chain: boolean): Promise<CaCertificateAnswer> {
    await this.discovery.resolve(ca);
    const reply = await this.client.caCertificate(ca, chain);
    return { ca, certificate: reply.certificate, ...(reply.chain ? { chain: reply.chain } : {}) };
  }

  async properties(ca: string, names: CaPropertyName[] | undefined): Promise<{ ca: string; properties: Record<string, unknown> }> {
    await this.discovery.resolve(ca);
    const reply = await this.client.caProperties(ca, names);
    return { ca, properties: reply.properties };
  }
}

/** `?names=CAName,Templates` or `?names=CAName&names=Templates`; absent → all. */
export function parsePropertyNames(value: string | string[] | undefined): CaPropertyName[] | undefined {
  if (value === undefined) return undefined;
  const names = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (names.length === 0) return undefined;
  if (names.length > 32) throw badField('names', 'at most 32 property names');
  return names.map((n) => {
    const parsed = CaPropertyNameSchema.safeParse(n);
    if (!parsed.success) throw badField('names', `unknown CA property "${n.slice(0, 64)}"; known: ${CA_PROPERTY_NAMES.join(', ')}`);
    return parsed.data;
  });
}

/** `?format=json|pem`, else the Accept header: PEM only when asked for by name. */
export function wantsPem(format: string | undefined, accept: string | undefined): boolean {
  if (format !== undefined) {
    if (format === 'pem') return true;
    if (format === 'json') return false;
    throw badField('format', 'must be json or pem');
  }
  return (accept ?? '').toLowerCase().includes(PEM_CHAIN_MEDIA_TYPE);
}

/** The PEM text: the chain when asked (it starts with the CA certificate), else the certificate. */
export function pemText(answer: CaCertificateAnswer): string {
  const blocks = answer.chain?.length ? answer.chain : [answer.certificate];
  return blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');
}

