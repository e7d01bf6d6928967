import { denial, type Denial, type RuleContext } from './types';

/**
 * Rules `key.algorithm`, `key.size`, `key.curve`: the CSR's public key must
 * be of a type the template lists, with enough bits or an allowed curve.
 * ca-core has already checked the CSR signature, so the key info is the
 * key's own, not a claim.
 */
export function checkKey(ctx: RuleContext): Denial[] {
  const key = ctx.request.request.publicKey;
  const t = ctx.templateName;
  const rule = ctx.template.keys.find((k) => k.algorithm === key.algorithm);
  if (!rule) {
    const allowed = ctx.template.keys.map((k) => k.algorithm).join(', ');
    return [denial('key.algorithm', 'publicKey.algorithm', key.algorithm, `${key.algorithm} keys are not allowed by template ${t} (allowed: ${allowed})`)];
  }
  switch (rule.algorithm) {
    case 'rsa':
      if (key.bits < rule.minBits) {
        return [denial('key.size', 'publicKey.bits', String(key.bits), `RSA key of ${key.bits} bits is too small for template ${t} (minimum ${rule.minBits})`)];
      }
      if (rule.maxBits !== undefined && key.bits > rule.maxBits) {
        return [denial('key.size', 'publicKey.bits', String(key.bits), `RSA key of ${key.bits} bits is too large for template ${t} (maximum ${rule.maxBits})`)];
      }
      return [];
    case 'ec': {
      const curve = key.curve ?? '';
      if (!(rule.curves as readonly string[]).includes(curve)) {
        return [
          denial('key.curve', 'publicKey.curve', curve || 'unknown', `EC curve ${curve || '(unknown)'} is not allowed by template ${t} (allowed: ${rule.curves.join(', ')})`),
        ];
      }
      return [];
    }
    default:
      // EdDSA keys have one fixed size per algorithm: allowing the algorithm allows the key.
      return [];
  }
}
