import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Requests are private (ADR 0025). A request made by a submit carries the
 * SHA-256 (hex) of the retrieval secret its submitter was given; the secret
 * itself is never stored, and the check keeps anything but a hash out of
 * the column. Rows from before, and imported ones, have none: no secret
 * reads them. `awaiting_retrieval` is set when a certificate is issued after
 * the submit answered (a resubmit of a pending or denied request), and
 * cleared by the owner's first retrieval, which alone writes the
 * request.retrieved event (AD CS EXITEVENT_CERTRETRIEVEPENDING).
 */
export class RetrievalSecrets1764450000000 implements MigrationInterface {
  name = 'RetrievalSecrets1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request ADD COLUMN retrieval_secret_sha256 text CONSTRAINT request_retrieval_secret_is_hash CHECK (retrieval_secret_sha256 ~ '^[0-9a-f]{64}$')`);
    await q.query(`ALTER TABLE request ADD COLUMN awaiting_retrieval boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request DROP COLUMN awaiting_retrieval`);
    await q.query(`ALTER TABLE request DROP COLUMN retrieval_secret_sha256`);
  }
}
