import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Token revocation takes effect at once (ADR 0024): each CA counts its
 * admin-token revocations in `admin_token_epoch`. A revocation raises the
 * count in its own transaction (the row lock orders concurrent ones), every
 * authentication answer carries the count it read, and the revocation
 * notice carries the new one, so admin-api can tell which of its cached
 * answers may predate a revocation. A CA without a row has epoch 0.
 */
export class AdminTokenEpoch1764400000000 implements MigrationInterface {
  name = 'AdminTokenEpoch1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin_token_epoch (
        ca_name  text PRIMARY KEY,
        epoch    bigint NOT NULL CHECK (epoch > 0)
      )`);
    // Revocations made before count too, so an answer read now is never older than them.
    await q.query(`INSERT INTO admin_token_epoch (ca_name, epoch) SELECT ca_name, count(*) FROM admin_token WHERE revoked_at IS NOT NULL GROUP BY ca_name`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_token_epoch`);
  }
}
