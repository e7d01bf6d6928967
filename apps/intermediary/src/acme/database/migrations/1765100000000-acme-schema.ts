import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The ACME front door's state (ADR 0035), in the intermediary's own schema
 * `acme`: nothing here is a CA table, and ca-core never reads it.
 * Authorisations belong to one order (no reuse across orders), so an
 * order's state is its own and its authorisations'.
 */
export class AcmeSchema1765100000000 implements MigrationInterface {
  name = 'AcmeSchema1765100000000';

  async up(q: QueryRunner): Promise<void> {
    // Single use: consuming a nonce deletes its row; expired rows are swept.
    await q.query(`CREATE TABLE acme.nonces (value text PRIMARY KEY, expires_at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX nonces_expires ON acme.nonces (expires_at)`);
    // External account keys the operator made; bound to at most one account.
    await q.query(`CREATE TABLE acme.eab_keys (
      kid text PRIMARY KEY,
      hmac_key bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      account_id text,
      bound_at timestamptz
    )`);
    await q.query(`CREATE TABLE acme.accounts (
      id text PRIMARY KEY,
      jwk jsonb NOT NULL,
      thumbprint text NOT NULL UNIQUE,
      status text NOT NULL CHECK (status IN ('valid', 'deactivated', 'revoked')),
      contact jsonb NOT NULL DEFAULT '[]',
      tos_agreed boolean NOT NULL DEFAULT false,
      eab_kid text REFERENCES acme.eab_keys (kid),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE acme.orders (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES acme.accounts (id),
      status text NOT NULL CHECK (status IN ('pending', 'ready', 'processing', 'valid', 'invalid')),
      profile text NOT NULL,
      template text NOT NULL,
      identifiers jsonb NOT NULL,
      expires_at timestamptz NOT NULL,
      not_before timestamptz,
      not_after timestamptz,
      error jsonb,
      ca text,
      request_id bigint,
      retrieval_secret text,
      certificate text,
      serial text,
      replaces text,
      client_ip text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX orders_account ON acme.orders (account_id, created_at)`);
    await q.query(`CREATE INDEX orders_client_ip ON acme.orders (client_ip, created_at)`);
    await q.query(`CREATE INDEX orders_serial ON acme.orders (serial) WHERE serial IS NOT NULL`);
    // ARI (RFC 9773): one live order replaces a certificate; a failed one frees it again.
    await q.query(`CREATE UNIQUE INDEX orders_replaces ON acme.orders (replaces) WHERE replaces IS NOT NULL AND status <> 'invalid'`);
    await q.query(`CREATE TABLE acme.authorizations (
      id text PRIMARY KEY,
      order_id text NOT NULL REFERENCES acme.orders (id),
      account_id text NOT NULL REFERENCES acme.accounts (id),
      identifier_type text NOT NULL CHECK (identifier_type IN ('dns', 'ip')),
      identifier_value text NOT NULL,
      wildcard boolean NOT NULL DEFAULT false,
      status text NOT NULL CHECK (status IN ('pending', 'valid', 'invalid', 'deactivated', 'expired', 'revoked')),
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX authorizations_order ON acme.authorizations (order_id)`);
    await q.query(`CREATE INDEX authorizations_pending ON acme.authorizations (account_id) WHERE status = 'pending'`);
    await q.query(`CREATE TABLE acme.challenges (
      id text PRIMARY KEY,
      authorization_id text NOT NULL REFERENCES acme.authorizations (id),
      type text NOT NULL CHECK (type IN ('http-01', 'dns-01', 'tls-alpn-01')),
      token text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'processing', 'valid', 'invalid')),
      started_at timestamptz,
      validated_at timestamptz,
      failed_at timestamptz,
      requested_from text,
      error jsonb,
      UNIQUE (authorization_id, type)
    )`);
    // Rate limits (ADR 0035): failed validations per account and per client address in a window.
    await q.query(`CREATE INDEX challenges_failed_from ON acme.challenges (requested_from, failed_at) WHERE failed_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['challenges', 'authorizations', 'orders', 'accounts', 'eab_keys', 'nonces']) await q.query(`DROP TABLE acme.${t}`);
  }
}
