import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * ImportCertificate: a request row may now stand for an imported
 * certificate (`request_type` = 'imported', no certificate request, an
 * empty `raw_request`). The column had no constraint; it gets one, and a
 * row that claims to be a PKCS#10 request must carry one. The view's
 * `RequestType` column gets an index like the other request columns, so
 * "the imported ones" stays one index range over millions of rows.
 */
export class ImportedCertificates1764300000000 implements MigrationInterface {
  name = 'ImportedCertificates1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request ADD CONSTRAINT request_type_known CHECK (request_type IN ('pkcs10', 'imported'))`);
    await q.query(`ALTER TABLE request ADD CONSTRAINT request_raw_present CHECK (request_type = 'imported' OR octet_length(raw_request) > 0)`);
    await q.query(`CREATE INDEX request_type ON request (ca_name, (request_type COLLATE "C"), id) INCLUDE (disposition)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX request_type`);
    await q.query(`ALTER TABLE request DROP CONSTRAINT request_raw_present`);
    await q.query(`ALTER TABLE request DROP CONSTRAINT request_type_known`);
  }
}
