import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Admin assertions are used once (ADR 0028, amended). Each admin command's
 * assertion id (`jti`) is recorded here when ca-core accepts it; a second
 * message with the same assertion finds the row and is refused. Rows are
 * kept until well after the assertion expired (it is refused as expired
 * from then on) and deleted as new ones arrive.
 */
export class AdminAssertionReplay1764605000000 implements MigrationInterface {
  name = 'AdminAssertionReplay1764605000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE admin_assertion_used (
      ca_name text NOT NULL,
      jti text NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (ca_name, jti)
    )`);
    await q.query(`CREATE INDEX admin_assertion_used_expiry ON admin_assertion_used (ca_name, expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_assertion_used`);
  }
}
