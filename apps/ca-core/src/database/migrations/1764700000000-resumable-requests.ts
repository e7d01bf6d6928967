import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Group commit (ADR 0037). `request.resumable` marks a request parked
 * because its processing was interrupted (its batch failed, its process
 * died), not because anyone decided it: its submitter's retry with the same
 * idempotency key resumes it (steps 2–6 again) instead of being told it is
 * pending. A policy's pend, an officer's action and everything before this
 * migration stay false.
 */
export class ResumableRequests1764700000000 implements MigrationInterface {
  name = 'ResumableRequests1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request ADD COLUMN resumable boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request DROP COLUMN resumable`);
  }
}
