import { execFile } from 'node:child_process';
import { request } from 'node:https';

/** One JSON call over HTTPS, trusting `ca` only; `cert`/`key` present a client certificate. */
export function httpsJson(
  url: string,
  opts: { ca: string; method?: string; headers?: Record<string, string>; body?: unknown; cert?: string; key?: string },
): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers = { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? (payload === undefined ? 'GET' : 'POST'), headers, ca: opts.ca, cert: opts.cert, key: opts.key }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    req.once('error', reject);
    req.end(payload);
  });
}

/** Real curl: status and body (asynchronous, like every client of a service). */
export function curl(args: string[]): Promise<{ status: number; body: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-S', '-w', '\n%{http_code}', ...args], { encoding: 'utf8', timeout: 30_000 }, (_e, stdout, stderr) => {
      const lines = stdout.split('\n');
      resolve({ status: Number(lines.pop()), body: lines.join('\n'), stderr });
    });
  });
}
