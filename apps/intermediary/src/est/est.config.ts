import { envInt, loadEnv } from '@signet/config';
import { z } from 'zod';

/** RFC 7030 §3.2.2: a label is a path segment; Signet keeps it to letters, digits, `-`, `_` and `.`. */
export const EST_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TEMPLATE = /^[A-Za-z0-9._-]{1,128}$/;
/** The label the unlabeled path `/.well-known/est/<operation>` stands for. */
export const DEFAULT_EST_LABEL = 'default';

export interface EstConfig {
  /**
   * Label → template (lower-case label: URL paths are matched as sent, but
   * Express routes ignore case, so `/Router/` and `/router/` are one label).
   * The unlabeled path is the `default` label; when that is not mapped, the
   * request names no template and the policy decides (the credential's
   * template, else its defaultTemplate).
   */
  labels: ReadonlyMap<string, string>;
  /** Retry-After of a 202 (RFC 7030 §4.2.3). */
  retryAfterSeconds: number;
}

/**
 * `SIGNET_EST_LABELS=default=WebServer,vpn=ClientAuth,approval=CodeSigning`:
 * comma-separated `label=Template`. Returns the problems instead of
 * throwing, so loadConfig names every bad variable at once.
 */
export function parseEstLabels(text: string): { labels: Map<string, string> } | { problem: string } {
  const labels = new Map<string, string>();
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const at = part.indexOf('=');
    const label = at < 0 ? '' : part.slice(0, at).trim().toLowerCase();
    const template = at < 0 ? '' : part.slice(at + 1).trim();
    if (!EST_LABEL.test(label) || !TEMPLATE.test(template)) return { problem: `"${part.slice(0, 80)}" is not label=Template (label: letters, digits, . _ -; template: a template name)` };
    if (labels.has(label)) return { problem: `label "${label}" is mapped twice` };
    labels.set(label, template);
  }
  return { labels };
}

export const EstEnvSchema = z.object({
  SIGNET_EST_LABELS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const r = parseEstLabels(v);
      if ('problem' in r) {
        ctx.addIssue({ code: 'custom', message: r.problem });
        return z.NEVER;
      }
      return r.labels;
    }),
  SIGNET_EST_RETRY_AFTER_SECONDS: envInt(60, 1, 86_400),
});

export function loadEstConfig(env: NodeJS.ProcessEnv): EstConfig {
  const e = loadEnv(EstEnvSchema, env);
  return { labels: e.SIGNET_EST_LABELS, retryAfterSeconds: e.SIGNET_EST_RETRY_AFTER_SECONDS };
}
