import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Enrollment secrets (ADR 0032): one-time passwords an officer creates,
 * bound to names (typed like SANs), an optional subject, one template and
 * groups. The row keeps the SHA-256 of the credential, never the
 * credential; the checks keep anything but a hash out of the column and
 * every lifetime within 90 days. `used_*` is set in the transaction of the
 * submit that spent it, `revoked_*` by an officer; neither is ever undone.
 */
export class EnrollmentSecrets1764532000000 implements MigrationInterface {
  name = 'EnrollmentSecrets1764532000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE enrollment_secret (
        ca_name            text NOT NULL,
        id                 text NOT NULL CONSTRAINT enrollment_secret_id_form CHECK (id ~ '^es-[0-9a-f]{16}$'),
        secret_sha256      text NOT NULL CONSTRAINT enrollment_secret_is_hash CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
        names              jsonb NOT NULL,
        subject            jsonb,
        template           text NOT NULL,
        groups             text[] NOT NULL DEFAULT '{}',
        note               text,
        created_by         text NOT NULL,
        created_at         timestamptz NOT NULL,
        expires_at         timestamptz NOT NULL,
        used_at            timestamptz,
        used_by_request_id bigint REFERENCES request (id),
        revoked_at         timestamptz,
        revoked_by         text,
        PRIMARY KEY (ca_name, id),
        CONSTRAINT enrollment_secret_lifetime CHECK (expires_at > created_at AND expires_at <= created_at + interval '90 days'),
        CONSTRAINT enrollment_secret_used_by CHECK ((used_at IS NULL) = (used_by_request_id IS NULL)),
        CONSTRAINT enrollment_secret_revoked_by CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      )`);
    await q.query(`CREATE INDEX enrollment_secret_newest ON enrollment_secret (ca_name, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE enrollment_secret`);
  }
}
