import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The CA database: requests with their attributes and extensions, issued
 * certificates, reserved serials, the event outbox, module registrations and
 * the audit log. Shaped after AD CS's Request/Certificate/Extension/Attribute
 * tables so the admin view can filter on the same columns.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ca (
        name            text PRIMARY KEY,
        certificate     bytea NOT NULL,
        chain           bytea[] NOT NULL DEFAULT '{}',
        encrypted_key   text NOT NULL,
        key_algorithm   text NOT NULL,
        source          text NOT NULL CHECK (source IN ('generated', 'imported')),
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE request (
        id                  bigserial PRIMARY KEY,
        ca_name             text NOT NULL,
        disposition         text NOT NULL CHECK (disposition IN ('in_process','pending','issued','denied','failed','revoked')),
        disposition_message text NOT NULL DEFAULT '',
        status_code         integer NOT NULL DEFAULT 0,
        decided_by          jsonb,
        request_type        text NOT NULL DEFAULT 'pkcs10',
        raw_request         bytea NOT NULL,
        request_sha256      text NOT NULL,
        attributes_raw      text NOT NULL DEFAULT '',
        requester_name      text NOT NULL,
        subject             text NOT NULL DEFAULT '',
        template            text,
        idempotency_key     text,
        cert_subject        jsonb,
        cert_not_before     timestamptz,
        cert_not_after      timestamptz,
        submitted_at        timestamptz NOT NULL DEFAULT now(),
        resolved_at         timestamptz,
        version             integer NOT NULL DEFAULT 1,
        CONSTRAINT request_idempotency UNIQUE (ca_name, idempotency_key)
      )`);
    await q.query(`CREATE INDEX request_queue ON request (ca_name, disposition, id)`);
    await q.query(`CREATE INDEX request_submitted ON request (ca_name, submitted_at)`);
    await q.query(`
      CREATE TABLE request_attribute (
        request_id  bigint NOT NULL REFERENCES request(id) ON DELETE CASCADE,
        name        text NOT NULL,
        display_name text NOT NULL,
        value       text NOT NULL,
        origin      text NOT NULL CHECK (origin IN ('request','admin')),
        PRIMARY KEY (request_id, name)
      )`);
    await q.query(`
      CREATE TABLE request_extension (
        request_id  bigint NOT NULL REFERENCES request(id) ON DELETE CASCADE,
        oid         text NOT NULL,
        origin      text NOT NULL CHECK (origin IN ('request','policy','admin','server')),
        critical    boolean NOT NULL,
        disabled    boolean NOT NULL DEFAULT false,
        value       bytea NOT NULL,
        PRIMARY KEY (request_id, origin, oid)
      )`);
    await q.query(`
      CREATE TABLE serial_reservation (
        ca_name     text NOT NULL,
        serial      text NOT NULL,
        request_id  bigint NOT NULL REFERENCES request(id),
        reserved_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ca_name, serial)
      )`);
    await q.query(`
      CREATE TABLE certificate (
        ca_name          text NOT NULL,
        serial           text NOT NULL,
        request_id       bigint NOT NULL UNIQUE REFERENCES request(id),
        der              bytea NOT NULL,
        sha256           text NOT NULL,
        subject          text NOT NULL,
        template         text,
        not_before       timestamptz NOT NULL,
        not_after        timestamptz NOT NULL,
        issued_at        timestamptz NOT NULL DEFAULT now(),
        revoked_at       timestamptz,
        revoked_effective_at timestamptz,
        revoked_reason   integer,
        PRIMARY KEY (ca_name, serial),
        FOREIGN KEY (ca_name, serial) REFERENCES serial_reservation(ca_name, serial)
      )`);
    await q.query(`CREATE INDEX certificate_not_after ON certificate (ca_name, not_after)`);
    await q.query(`
      CREATE TABLE outbox (
        id            bigserial PRIMARY KEY,
        event_id      uuid NOT NULL UNIQUE,
        subject       text NOT NULL,
        payload       jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz,
        attempts      integer NOT NULL DEFAULT 0,
        last_error    text
      )`);
    await q.query(`CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL`);
    await q.query(`
      CREATE TABLE module_registration (
        ca_name      text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('policy','exit')),
        name         text NOT NULL,
        description  text NOT NULL DEFAULT '',
        version      text NOT NULL DEFAULT '',
        event_mask   integer NOT NULL DEFAULT 0,
        first_seen   timestamptz NOT NULL DEFAULT now(),
        last_seen    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ca_name, kind, name)
      )`);
    await q.query(`
      CREATE TABLE audit_log (
        id           bigserial PRIMARY KEY,
        ca_name      text NOT NULL,
        at           timestamptz NOT NULL DEFAULT now(),
        actor        text NOT NULL,
        action       text NOT NULL,
        request_id   bigint,
        serial       text,
        before_disposition text,
        after_disposition  text,
        details      jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX audit_log_request ON audit_log (ca_name, request_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['audit_log', 'module_registration', 'outbox', 'certificate', 'serial_reservation', 'request_extension', 'request_attribute', 'request', 'ca']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
