import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './wait';

/**
 * A real SMTP server for tests: Python's aiosmtpd (Debian python3-aiosmtpd,
 * installed by scripts/lib/services.sh), storing each message it accepts as
 * a JSON file (envelope + raw data). Not a mock transport: the client
 * speaks SMTP over TCP to it. With `keep: false` (benchmarks) it only
 * counts what it accepts, printing the count every 100 ms, so that storing
 * test evidence does not weigh on what is measured; it counts distinct
 * Message-IDs, as a mail system deduplicates (a redelivered event's copy
 * carries the same one).
 */
const SERVER = `
import json, os, re, signal, sys, time
from aiosmtpd.controller import Controller
out, port, keep, pipelining = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "keep", sys.argv[4] == "pipelining"
stop = {signal.SIGTERM, signal.SIGINT}
signal.pthread_sigmask(signal.SIG_BLOCK, stop)
MESSAGE_ID = re.compile(rb"^Message-ID:[ \\t]*(\\S+)", re.I | re.M)
class Sink:
    count = 0
    ids = set()
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses
    async def handle_DATA(self, server, session, envelope):
        if keep:
            Sink.count += 1
            path = os.path.join(out, "%d.json" % time.time_ns())
            with open(path + ".tmp", "w") as f:
                json.dump({"mailFrom": envelope.mail_from, "rcptTos": envelope.rcpt_tos, "data": envelope.content.decode("utf-8", "replace")}, f)
            os.rename(path + ".tmp", path)
        else:
            m = MESSAGE_ID.search(envelope.original_content or envelope.content)
            Sink.ids.add(m.group(1) if m else object())
            Sink.count = len(Sink.ids)
        return "250 OK"
c = Controller(Sink(), hostname="127.0.0.1", port=port)
c.start()
print("READY", flush=True)
shown = 0
while signal.sigtimedwait(stop, 0.1) is None:
    if not keep and Sink.count != shown:
        shown = Sink.count
        print("COUNT %d" % shown, flush=True)
c.stop()
`;

export interface ReceivedMail {
  mailFrom: string;
  rcptTos: string[];
  data: string;
  subject: string;
  /** The body, quoted-printable decoded. */
  text: string;
  header(name: string): string | undefined;
}

/** The first python3 that has aiosmtpd (Debian's lives in /usr/bin, a pyenv shim may shadow it). */
export function pythonWithAiosmtpd(): string {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0) return py;
  }
  throw new Error('no python3 with aiosmtpd: apt-get install python3-aiosmtpd (scripts/lib/services.sh does)');
}

export class SmtpSink {
  readonly dir = mkdtempSync(join(tmpdir(), 'signet-smtp-'));
  port = 0;
  private child?: ChildProcess;

  private out = '';

  /**
   * `ownSession`: run the server in a session (and scheduler autogroup) of
   * its own; `keep: false`: count messages only (no messages()). Both for benchmarks.
   * `pipelining`: advertise PIPELINING (RFC 2920), as Postfix, Exim and
   * Exchange do by default; off by default so tests cover the plain dialogue.
   */
  constructor(private readonly opts: { ownSession?: boolean; keep?: boolean; pipelining?: boolean } = {}) {}

  async start(): Promise<void> {
    this.port = await freePort();
    const keep = this.opts.keep ?? true;
    this.child = spawn(pythonWithAiosmtpd(), ['-c', SERVER, this.dir, String(this.port), keep ? 'keep' : 'count', this.opts.pipelining ? 'pipelining' : 'plain'], { stdio: ['ignore', 'pipe', 'pipe'], detached: this.opts.ownSession ?? false });
    this.child.stdout!.on('data', (d) => (this.out = (this.out + d).slice(-4096)));
    this.child.stderr!.on('data', (d) => (this.out = (this.out + d).slice(-4096)));
    await waitFor('the SMTP server', async () => this.out.includes('READY') || (this.child!.exitCode !== null ? Promise.reject(new Error(this.out)) : false), 15_000, 50);
  }

  /** How many messages arrived (`keep: false`: distinct Message-IDs, cheap: does not read them). */
  count(): number {
    if (this.opts.keep === false) return Number(/COUNT (\d+)\n(?![\s\S]*COUNT)/.exec(this.out)?.[1] ?? 0);
    return readdirSync(this.dir).filter((f) => f.endsWith('.json')).length;
  }

  messages(): ReceivedMail[] {
    if (this.opts.keep === false) throw new Error('this SMTP sink only counts (keep: false)');
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        const m = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as { mailFrom: string; rcptTos: string[]; data: string };
        const [rawHead, ...rest] = m.data.split(/\r?\n\r?\n/);
        const head = rawHead.replace(/\r?\n[ \t]+/g, ' ');
        const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1];
        const body = rest.join('\n\n');
        const text = /quoted-printable/i.test(header('Content-Transfer-Encoding') ?? '') ? decodeQuotedPrintable(body) : body;
        return { ...m, subject: header('Subject') ?? '', header, text };
      });
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((r) => this.child!.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
