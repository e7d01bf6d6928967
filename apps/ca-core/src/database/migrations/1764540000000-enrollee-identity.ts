import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Enrollee identity (ADR 0026). `request.identity` is who submitted the
 * request, as ca-core verified it (a front door's signed assertion, a bus
 * submitter's subject, or anonymous); `requester_name` is its
 * `<method>:<principal>`. Null for imported certificates and for rows from
 * before: their requester name was whatever a bus submitter wrote, which
 * nobody verified, so the policy sees them as anonymous.
 *
 * `one_time_credential` holds every one-time credential (an enrollment
 * token's jti, an enrollment secret's id: `identity.oneTime`) that made a
 * request, recorded in the submit's transaction; the primary key is what
 * refuses a second request with the same one, even a concurrent one.
 */
export class EnrolleeIdentity1764540000000 implements MigrationInterface {
  name = 'EnrolleeIdentity1764540000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request ADD COLUMN identity jsonb CONSTRAINT request_identity_is_object CHECK (jsonb_typeof(identity) = 'object')`);
    await q.query(`
      CREATE TABLE one_time_credential (
        ca_name     text NOT NULL,
        one_time    text NOT NULL,
        request_id  bigint NOT NULL REFERENCES request (id),
        method      text NOT NULL,
        principal   text NOT NULL,
        used_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ca_name, one_time)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE one_time_credential`);
    await q.query(`ALTER TABLE request DROP COLUMN identity`);
  }
}
