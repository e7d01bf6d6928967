import { Attr, LIMITS, type PolicyVerifyRequest, type San, type SanType } from '@signet/contracts';
import { type PolicyConfig } from '../config/policy-file.schema';
import { denial, type Denial, type RequestedSan } from './types';

/**
 * AD CS's `san` request attribute: `dns=a.example.com&email=x@example.com`.
 * Honoured only under EDITF_ATTRIBUTESUBJECTALTNAME2 (allowSanAttribute),
 * which Microsoft documents as dangerous: the names are not signed by the
 * CSR, so anyone who may submit can claim any name. When honoured, the
 * names still go through every SAN rule of the template.
 */
const TYPE_BY_KEYWORD: Record<string, SanType> = {
  dns: 'dns',
  email: 'email',
  upn: 'upn',
  ipaddress: 'ip',
  ip: 'ip',
  url: 'uri',
  uri: 'uri',
};

export type SanAttributeParse = { ok: true; sans: San[] } | { ok: false; part: string; reason: string };

export function parseSanAttribute(raw: string): SanAttributeParse {
  const sans: San[] = [];
  for (const part of raw.split('&')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) return { ok: false, part: item, reason: 'is not type=value' };
    const keyword = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    const type = TYPE_BY_KEYWORD[keyword];
    if (!type) return { ok: false, part: item, reason: `has unsupported name type "${keyword}" (use dns, email, upn, ipaddress or url)` };
    if (value === '') return { ok: false, part: item, reason: 'has an empty value' };
    sans.push({ type, value });
  }
  return { ok: true, sans };
}

export interface CollectedSans {
  sans: RequestedSan[];
  denials: Denial[];
  /** Things the requester should know that are not denials. */
  notes: string[];
}

/** The names a request asks for: the CSR's, then (if honoured) the attribute's. */
export function collectSans(req: PolicyVerifyRequest, policy: PolicyConfig): CollectedSans {
  const sans: RequestedSan[] = req.request.subjectAltNames.map((s) => ({ ...s, source: 'csr' as const }));
  const raw = req.request.attributes[Attr.San];
  if (raw === undefined || raw.trim() === '') return { sans, denials: [], notes: [] };
  if (!policy.allowSanAttribute) {
    return { sans, denials: [], notes: ['the san request attribute was ignored (this CA does not honour it)'] };
  }
  const parsed = parseSanAttribute(raw);
  if (!parsed.ok) {
    return { sans, denials: [denial('san.attribute', 'san', parsed.part, `san attribute part "${parsed.part}" ${parsed.reason}`)], notes: [] };
  }
  if (sans.length + parsed.sans.length > LIMITS.sanCount) {
    return { sans, denials: [denial('san.attribute', 'san', String(parsed.sans.length), `more than ${LIMITS.sanCount} subject alternative names in total`)], notes: [] };
  }
  return { sans: [...sans, ...parsed.sans.map((s) => ({ ...s, source: 'attribute' as const }))], denials: [], notes: [] };
}
