import { promises as dns } from 'node:dns';
import type { DnsServer } from './validation.config';
import { fail, ValidationFailure, type Deadline } from './outcome';

/** Errors c-ares reports for "the name or the record type does not exist". */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND']);

/**
 * Lookups for one validation, through the configured servers (or the
 * system's). Always asks DNS itself, never /etc/hosts or nsswitch: what a
 * name means to the CA must be what it means on the internet, and a fresh
 * Resolver per validation lets its deadline cancel what is still in flight.
 */
export class ValidationDns {
  private readonly resolver: dns.Resolver;

  constructor(
    servers: readonly DnsServer[],
    private readonly deadline: Deadline,
  ) {
    // One try per server within the deadline; c-ares moves on to the next server.
    this.resolver = new dns.Resolver({ timeout: Math.max(100, Math.min(5_000, deadline.totalMs)), tries: 1 });
    if (servers.length) this.resolver.setServers(servers.map((s) => (s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`)));
  }

  private async bounded<T>(what: string, query: Promise<T>): Promise<T> {
    const left = this.deadline.check('dns', what);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.resolver.cancel();
        reject(fail('dns', `${what}: timed out (the validation may take ${this.deadline.totalMs} ms)`));
      }, left);
    });
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The A and AAAA addresses of `name`, IPv6 first. Fails with `dns` when the
   * lookup fails or finds no address.
   */
  async addresses(name: string): Promise<string[]> {
    const query = async (rrtype: 'A' | 'AAAA'): Promise<string[]> => {
      try {
        return await this.bounded(`${rrtype} lookup of ${name}`, rrtype === 'A' ? this.resolver.resolve4(name) : this.resolver.resolve6(name));
      } catch (e) {
        if (NO_RECORDS.has((e as NodeJS.ErrnoException).code ?? '')) return [];
        throw e;
      }
    };
    try {
      const [v6, v4] = await Promise.all([query('AAAA'), query('A')]);
      if (v6.length + v4.length === 0) throw fail('dns', `no A or AAAA record for ${name}`);
      return [...v6, ...v4];
    } catch (e) {
      throw dnsFailure(e, `lookup of ${name}`);
    }
  }

  /** The TXT records at `name`, each one's strings joined; an empty list when there are none. */
  async txt(name: string): Promise<string[]> {
    try {
      const records = await this.bounded(`TXT lookup of ${name}`, this.resolver.resolveTxt(name));
      return records.map((chunks) => chunks.join(''));
    } catch (e) {
      if (NO_RECORDS.has((e as NodeJS.ErrnoException).code ?? '')) return [];
      throw dnsFailure(e, `TXT lookup of ${name}`);
    }
  }
}

function dnsFailure(e: unknown, what: string): Error {
  if (e instanceof ValidationFailure) return e;
  const code = (e as NodeJS.ErrnoException).code;
  // c-ares codes (ESERVFAIL, EREFUSED, ETIMEOUT, ECONNREFUSED, ...) say what went wrong; never its free text.
  return fail('dns', `${what} failed: ${typeof code === 'string' ? code : 'error'}`);
}
