import { type DataSource } from 'typeorm';

/** How long the ACME database may take to answer the readiness probe before the replica counts as not ready. */
const PROBE_TIMEOUT_MS = 1_000;

/** What /readyz asks the ACME front door (ADR 0035): 'ready', or why not. */
export interface AcmeReadiness {
  status(): Promise<string>;
}

/**
 * Ready when the ACME database answers a query in time: every ACME request
 * (even newNonce) writes to it, so a replica that cannot reach it would
 * fail them all and should be out of the load balancer's rotation.
 */
export function databaseReadiness(ds: DataSource, timeoutMs = PROBE_TIMEOUT_MS): AcmeReadiness {
  return {
    async status() {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`the ACME database did not answer within ${timeoutMs} ms`), timeoutMs)));
      const probe = ds.query('SELECT 1').then(
        () => 'ready',
        (e: Error) => `the ACME database does not answer (${e.message})`,
      );
      try {
        return await Promise.race([probe, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
