import { execFile } from 'node:child_process';

/** A shell pipeline as the docs show it (curl | openssl ...), run asynchronously so the services' logs keep flowing. */
export function sh(script: string, cwd: string, timeoutMs = 120_000): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-o', 'pipefail', '-c', script], { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (e, stdout, stderr) => {
      const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? ((e as { code: number }).code) : -1) : 0;
      resolve({ code, out: stdout, err: stderr });
    });
  });
}

/** curl's `-D headers -o body -w '%{http_code}'` split up: status, lower-cased headers, body. */
export function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  // With a 401 followed by a retry, curl writes several header blocks: the last one counts.
  const blocks = text.trim().split(/\r?\n\r?\n/);
  for (const line of blocks[blocks.length - 1].split(/\r?\n/).slice(1)) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return out;
}

/** The parts of a multipart/mixed body (RFC 2046 5.1): headers (lower-cased) and the body text of each. */
export function multipartParts(body: string, boundary: string): { headers: Record<string, string>; body: string }[] {
  const parts = body.split(`--${boundary}`).slice(1);
  return parts
    .filter((p) => !p.startsWith('--'))
    .map((p) => {
      const [head, ...rest] = p.replace(/^\r\n/, '').split('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n')) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      return { headers, body: rest.join('\r\n\r\n').replace(/\r\n$/, '') };
    });
}
