import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Stranded requests (ADR 0034). `request.lease_until` is how long the
 * ca-core working on an in-process request vouches for it: set when the
 * request goes in process (submit, resubmit) and renewed while it runs.
 * A request still in process after its lease ran out was left by a process
 * that died or lost its connection, and any live ca-core's sweeper takes
 * it. Null for rows from before: their lease counts from `submitted_at`.
 */
export class RequestLease1764600000000 implements MigrationInterface {
  name = 'RequestLease1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request ADD COLUMN lease_until timestamptz`);
    await q.query(`CREATE INDEX request_in_process_lease ON request (ca_name, lease_until) WHERE disposition = 'in_process'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX request_in_process_lease`);
    await q.query(`ALTER TABLE request DROP COLUMN lease_until`);
  }
}
