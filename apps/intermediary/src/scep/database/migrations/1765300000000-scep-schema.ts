import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The SCEP front door's state (ADR 0040), in the intermediary's own schema
 * `scep`, shared by its replicas: the RA certificates with their keys
 * encrypted at rest, and the transactions that wait for an officer. Nothing
 * here is a CA table; ca-core never reads it.
 */
export class ScepSchema1765300000000 implements MigrationInterface {
  name = 'ScepSchema1765300000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per RA certificate the CA issued to the intermediary; the newest two of a CA are in use (current, and previous after a renewal).
    await q.query(`CREATE TABLE scep.ra_certificates (
      id bigserial PRIMARY KEY,
      ca text NOT NULL,
      certificate bytea NOT NULL,
      chain bytea[] NOT NULL DEFAULT '{}',
      encrypted_key text NOT NULL,
      not_after timestamptz NOT NULL,
      renew_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX ra_certificates_ca ON scep.ra_certificates (ca, id DESC)`);
    // key: SHA-256 of (CA, transactionID, signer key); retrieval_secret: AES-256-GCM under the state passphrase, bound to key.
    await q.query(`CREATE TABLE scep.transactions (
      key text PRIMARY KEY,
      request_id bigint NOT NULL,
      retrieval_secret bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX transactions_created ON scep.transactions (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scep.transactions`);
    await q.query(`DROP TABLE scep.ra_certificates`);
  }
}
