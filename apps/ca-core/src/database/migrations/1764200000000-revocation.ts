import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Revocation status:
 *  - `crl`: every CRL issued (base and delta share one number sequence per
 *    CA, RFC 5280 5.2.3), with its DER, so the edge can always be served the
 *    current one and an auditor can read old ones;
 *  - `crl_hold`: the certificates each base CRL lists as certificateHold, so
 *    a later delta can say removeFromCRL for those released since;
 *  - `ocsp_signer`: delegated OCSP responder certificates with their keys,
 *    encrypted like the CA key (ADR 0004);
 *  - a partial index over revoked certificates by serial: a base CRL reads
 *    them in serial order in pages, whatever the share of revoked ones.
 */
export class Revocation1764200000000 implements MigrationInterface {
  name = 'Revocation1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE crl (
        ca_name       text NOT NULL,
        number        bigint NOT NULL CHECK (number > 0),
        is_delta      boolean NOT NULL,
        base_number   bigint,
        this_update   timestamptz NOT NULL,
        next_update   timestamptz NOT NULL,
        der           bytea NOT NULL,
        sha256        text NOT NULL,
        entries       integer NOT NULL,
        issued_by     text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ca_name, number),
        CHECK (is_delta = (base_number IS NOT NULL)),
        CHECK (next_update > this_update)
      )`);
    // Uncompressed out-of-line storage: the edge reads big CRLs in slices, and
    // substring() on an EXTERNAL value reads only the slice's pages.
    await q.query(`ALTER TABLE crl ALTER COLUMN der SET STORAGE EXTERNAL`);
    await q.query(`CREATE INDEX crl_latest ON crl (ca_name, is_delta, number DESC)`);
    await q.query(`
      CREATE TABLE crl_hold (
        ca_name       text NOT NULL,
        crl_number    bigint NOT NULL,
        serial        text NOT NULL,
        revoked_at    timestamptz NOT NULL,
        PRIMARY KEY (ca_name, crl_number, serial),
        FOREIGN KEY (ca_name, crl_number) REFERENCES crl (ca_name, number) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE ocsp_signer (
        ca_name        text NOT NULL,
        serial         text NOT NULL,
        certificate    bytea NOT NULL,
        encrypted_key  text NOT NULL,
        key_algorithm  text NOT NULL,
        not_before     timestamptz NOT NULL,
        not_after      timestamptz NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ca_name, serial)
      )`);
    await q.query(`CREATE INDEX ocsp_signer_newest ON ocsp_signer (ca_name, not_after DESC)`);
    await q.query(`CREATE INDEX certificate_revoked_serial ON certificate (ca_name, serial) WHERE revoked_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS certificate_revoked_serial`);
    for (const t of ['ocsp_signer', 'crl_hold', 'crl']) await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}
