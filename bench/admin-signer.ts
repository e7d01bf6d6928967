import { generateAssertionKeyPair, loadSigningKey, signAdminAssertion, type SigningKey } from '@signet/assertions';
import { type BusClient, type CallOptions } from '@signet/bus';
import { AdminAssertion, type Actor, type Command } from '@signet/contracts';
import { readFileSync } from 'node:fs';
import { type z } from 'zod';

/**
 * Admin commands as admin-api sends them (ADR 0028), for benchmarks that
 * call ca-core directly. With SIGNET_ADMIN_ASSERTION_KEY(_FILE) set (a
 * ca-core of the operator's, `--external`) it signs with that key;
 * otherwise with a pair of its own, whose public half `caCoreEnv()` hands
 * the ca-core the benchmark starts.
 */
export class BenchAdmin {
  private readonly publicKeyPem?: string;
  private readonly key: SigningKey;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const file = env.SIGNET_ADMIN_ASSERTION_KEY_FILE;
    const pem = file ? readFileSync(file, 'utf8') : env.SIGNET_ADMIN_ASSERTION_KEY;
    if (pem) {
      this.key = loadSigningKey(pem, 'SIGNET_ADMIN_ASSERTION_KEY');
    } else {
      const pair = generateAssertionKeyPair();
      this.key = loadSigningKey(pair.privateKeyPem);
      this.publicKeyPem = pair.publicKeyPem;
    }
  }

  /** What a ca-core the benchmark starts needs to believe these commands. */
  caCoreEnv(): Record<string, string> {
    return this.publicKeyPem ? { SIGNET_ADMIN_ASSERTION_KEYS: this.publicKeyPem } : {};
  }

  call<Req extends z.ZodType, Rep extends z.ZodType>(client: BusClient, cmd: Command<Req, Rep>, ca: string, actor: Actor, request: z.input<Req>, opts: CallOptions = {}): Promise<z.output<Rep>> {
    return client.call(cmd, ca, request, {
      ...opts,
      headers: async (body) => ({ [AdminAssertion.header]: await signAdminAssertion(this.key, { ca, command: cmd.name, body, actor }) }),
    });
  }
}
