import { waitFor } from '@signet/testing';
import { createCsr } from '@signet/x509';
import { exportJWK, FlattenedSign, generateKeyPair, calculateJwkThumbprint, type JWK, type KeyLike } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { ChallengeValidator, type ValidationInput, type ValidationResult } from '../acme/validation/challenge-validator';

/**
 * A small ACME client on jose, for tests: it signs what a real client
 * signs (RFC 8555 6.2) and keeps the last Replay-Nonce. Test-only.
 */
export interface AcmeReply {
  status: number;
  headers: Headers;
  /** JSON when the answer is JSON, else the text. */
  body: any;
}

export type TestAlg = 'ES256' | 'ES384' | 'RS256' | 'EdDSA';

export class AcmeTestClient {
  nonce?: string;
  kid?: string;
  directory!: Record<string, any>;

  private constructor(
    readonly directoryUrl: string,
    readonly alg: TestAlg,
    readonly privateKey: KeyLike,
    readonly jwk: JWK,
  ) {}

  static async create(directoryUrl: string, alg: TestAlg = 'ES256'): Promise<AcmeTestClient> {
    const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
    const client = new AcmeTestClient(directoryUrl, alg, privateKey, await exportJWK(publicKey));
    client.directory = (await (await fetch(directoryUrl)).json()) as Record<string, unknown>;
    return client;
  }

  /** A client whose account key is the given pair (e.g. a certificate's key, for revokeCert). */
  static async withKey(directoryUrl: string, alg: TestAlg, privateKey: KeyLike, publicKey: KeyLike): Promise<AcmeTestClient> {
    const client = new AcmeTestClient(directoryUrl, alg, privateKey, await exportJWK(publicKey));
    client.directory = (await (await fetch(directoryUrl)).json()) as Record<string, unknown>;
    return client;
  }

  thumbprint(): Promise<string> {
    return calculateJwkThumbprint(this.jwk, 'sha256');
  }

  async freshNonce(): Promise<string> {
    const res = await fetch(this.directory.newNonce, { method: 'HEAD' });
    this.nonce = res.headers.get('replay-nonce') ?? undefined;
    if (!this.nonce) throw new Error('no Replay-Nonce');
    return this.nonce;
  }

  /** A flattened JWS over `payload` (undefined: POST-as-GET), with `kid` once the account exists, else `jwk`. */
  async sign(url: string, payload: unknown, opts: { useJwk?: boolean; nonce?: string; header?: Record<string, unknown>; key?: KeyLike } = {}): Promise<Record<string, string>> {
    const nonce = opts.nonce ?? this.nonce ?? (await this.freshNonce());
    this.nonce = undefined;
    const header: Record<string, unknown> = { alg: this.alg, nonce, url, ...(this.kid && !opts.useJwk ? { kid: this.kid } : { jwk: this.jwk }), ...opts.header };
    const bytes = new TextEncoder().encode(payload === undefined ? '' : JSON.stringify(payload));
    return (await new FlattenedSign(bytes).setProtectedHeader(header as { alg: string }).sign(opts.key ?? this.privateKey)) as unknown as Record<string, string>;
  }

  async post(url: string, payload: unknown, opts: { useJwk?: boolean; nonce?: string; header?: Record<string, unknown>; body?: string; contentType?: string } = {}): Promise<AcmeReply> {
    const body = opts.body ?? JSON.stringify(await this.sign(url, payload, opts));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': opts.contentType ?? 'application/jose+json' }, body });
    this.nonce = res.headers.get('replay-nonce') ?? undefined;
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, body: /json/.test(type) && text ? JSON.parse(text) : text };
  }

  async newAccount(payload: Record<string, unknown> = { termsOfServiceAgreed: true }): Promise<AcmeReply> {
    const r = await this.post(this.directory.newAccount, payload, { useJwk: true });
    if (r.status === 201 || r.status === 200) this.kid = r.headers.get('location') ?? undefined;
    return r;
  }
}

type Identifiers = { type: 'dns' | 'ip'; value: string }[];

/** A finalize CSR (base64url DER) for exactly these names, with a fresh P-256 key. */
export async function csrFor(names: Identifiers): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return (await createCsr({ subject: [], sans: names, privateKey })).toString('base64url');
}

/**
 * newOrder → every authorisation's `type` challenge triggered (after
 * `onChallenge`, where the caller publishes the answer) → order ready.
 */
export async function readyOrder(
  c: AcmeTestClient,
  identifiers: Identifiers,
  type = 'http-01',
  extra: Record<string, unknown> = {},
  onChallenge: (challenge: { token: string; url: string }) => void = () => undefined,
): Promise<{ url: string; order: any }> {
  const created = await c.post(c.directory.newOrder, { identifiers, ...extra });
  if (created.status !== 201) throw new Error(`newOrder: ${created.status} ${JSON.stringify(created.body)}`);
  const url = created.headers.get('location')!;
  for (const authzUrl of created.body.authorizations as string[]) {
    const authz = await c.post(authzUrl, undefined);
    const challenge = authz.body.challenges.find((ch: { type: string }) => ch.type === type);
    onChallenge(challenge);
    const started = await c.post(challenge.url, {});
    if (started.status !== 200 || !['processing', 'valid'].includes(started.body.status)) throw new Error(`challenge: ${started.status} ${JSON.stringify(started.body)}`);
    await waitFor('authorization valid', async () => (await c.post(authzUrl, undefined)).body.status === 'valid', 30_000, 50);
  }
  const order = await c.post(url, undefined);
  if (order.body.status !== 'ready') throw new Error(`order ${url} is ${order.body.status}, not ready`);
  return { url, order: order.body };
}

/**
 * The test's ChallengeValidator (a double of Signet's own component, not of
 * NATS or PostgreSQL): it answers what the test scripted per identifier
 * value, and checks the key authorization the server computed.
 */
export class ScriptedValidator extends ChallengeValidator {
  readonly calls: ValidationInput[] = [];
  readonly answers = new Map<string, ValidationResult>();
  /** value → expected key authorization; a different one fails as a real validator would. */
  readonly expected = new Map<string, string>();

  async validate(input: ValidationInput): Promise<ValidationResult> {
    this.calls.push(input);
    const want = this.expected.get(input.token);
    if (want !== undefined && want !== input.keyAuthorization) return { ok: false, error: { type: 'incorrectResponse', detail: 'key authorization mismatch' } };
    return this.answers.get(input.identifier.value) ?? { ok: true };
  }
}
