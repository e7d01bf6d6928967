import { readSecret } from '@signet/config';
import { openAcmeDatabase } from './database/data-source';
import { AcmeStore } from './acme.store';

/**
 * The operator's way to make an external account key (RFC 8555 7.3.4,
 * ADR 0035): `node dist/apps/intermediary/acme/eab-cli.js create` with
 * SIGNET_ACME_DATABASE_URL set prints the key id and the MAC key (base64url)
 * once; hand both to the one client that may create an account with them.
 */
async function main(argv: string[]): Promise<number> {
  if (argv[0] !== 'create' || argv.length !== 1) {
    process.stderr.write('usage: eab-cli create   (SIGNET_ACME_DATABASE_URL names the ACME database)\n');
    return 2;
  }
  const url = readSecret(process.env, 'SIGNET_ACME_DATABASE_URL');
  if (!url) {
    process.stderr.write('SIGNET_ACME_DATABASE_URL (or SIGNET_ACME_DATABASE_URL_FILE) is required\n');
    return 2;
  }
  const ds = await openAcmeDatabase(url);
  try {
    const { kid, hmacKey } = await new AcmeStore(ds).createEabKey();
    process.stdout.write(`${JSON.stringify({ kid, hmacKey })}\n`);
    return 0;
  } finally {
    await ds.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`eab-cli: ${e.message}\n`);
    process.exit(1);
  },
);
