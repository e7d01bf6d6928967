import { createHash } from 'node:crypto';
import { mayRetrieve, newRetrievalSecret, retrievalSecretSha256, type Asker, type Ownership } from './retrieval-secret';

const { secret, sha256 } = newRetrievalSecret();
const other = newRetrievalSecret();

describe('newRetrievalSecret', () => {
  it('is sgr_ and 32 random octets in base64url, and hands out its SHA-256 for storage', () => {
    expect(secret).toMatch(/^sgr_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret.slice(4), 'base64url')).toHaveLength(32);
    expect(sha256).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(retrievalSecretSha256(secret)).toBe(sha256);
    expect(sha256).not.toContain(secret.slice(4));
  });

  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => newRetrievalSecret().secret));
    expect(seen.size).toBe(1000);
  });
});

describe('mayRetrieve', () => {
  const bySecret: Ownership = { requesterName: 'anonymous', retrievalSecretSha256: sha256 };
  const byAlice: Ownership = { requesterName: 'alice', retrievalSecretSha256: sha256 };
  const noSecret: Ownership = { requesterName: 'anonymous', retrievalSecretSha256: null };

  it.each<[string, Ownership | undefined, Asker]>([
    ['the secret', bySecret, { retrievalSecret: secret, requester: 'anonymous' }],
    ['the secret, whoever asks', byAlice, { retrievalSecret: secret, requester: 'bob' }],
    ['the same authenticated requester, without the secret', byAlice, { requester: 'alice' }],
    ['the same authenticated requester, with a wrong secret', byAlice, { retrievalSecret: other.secret, requester: 'alice' }],
  ])('ok/%s', (_name, row, who) => {
    expect(mayRetrieve(row, who)).toBe(true);
  });

  it.each<[string, Ownership | undefined, Asker]>([
    ['no secret, anonymous', bySecret, { requester: 'anonymous' }],
    ["another request's secret", bySecret, { retrievalSecret: other.secret, requester: 'anonymous' }],
    ['the hash instead of the secret', bySecret, { retrievalSecret: sha256, requester: 'anonymous' }],
    ['the secret with a character more', bySecret, { retrievalSecret: `${secret}A`, requester: 'anonymous' }],
    ['anonymous is nobody, even for a request by anonymous', bySecret, { requester: 'anonymous' }],
    ['another requester', byAlice, { requester: 'bob' }],
    ['a row without a hash (from before, or imported) and no secret', noSecret, { requester: 'anonymous' }],
    ['a row without a hash and any secret', noSecret, { retrievalSecret: secret, requester: 'anonymous' }],
    ['an empty string against no hash', noSecret, { retrievalSecret: '', requester: 'anonymous' }],
    ['an unknown request, with a secret', undefined, { retrievalSecret: secret, requester: 'anonymous' }],
    ['an unknown request, by name', undefined, { requester: 'alice' }],
  ])('fail/%s', (_name, row, who) => {
    expect(mayRetrieve(row, who)).toBe(false);
  });
});
