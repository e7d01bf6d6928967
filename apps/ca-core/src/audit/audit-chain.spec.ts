import { createHash } from 'node:crypto';
import { canonicalEntry, chainHash, ChainVerifier, GENESIS_HASH, normalizeDetails, type ChainHead, type StoredEntry } from './audit-chain';

/** A well-formed chain of n entries, ids 10, 20, 30 … (ids are not contiguous per CA). */
function chain(n: number): { entries: StoredEntry[]; head: ChainHead } {
  const entries: StoredEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = {
      id: seq * 10,
      ca: 'ca-1',
      seq,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
      actor: seq % 2 ? 'alice' : 'ca',
      action: 'request.issue',
      requestId: seq,
      serial: null,
      before: 'in_process',
      after: 'issued',
      details: { decidedBy: { rule: 'r', field: 'f' }, n: seq },
    };
    const hash = chainHash(prev, e);
    entries.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  const last = entries[entries.length - 1];
  return { entries, head: { seq: n, hash: last?.hash ?? GENESIS_HASH, id: last?.id ?? 0 } };
}

function verify(entries: StoredEntry[], head: ChainHead | null) {
  const v = new ChainVerifier();
  for (const e of entries) if (!v.next(e)) break;
  return v.finish(head);
}

describe('audit hash chain', () => {
  it('hash = SHA-256(prevHash octets || canonical form), the canonical form a fixed-order JSON array', () => {
    const { entries } = chain(1);
    const e = entries[0];
    expect(canonicalEntry(e)).toBe(
      '["signet-audit-v1","ca-1",1,"2026-01-01T00:00:01.000Z","alice","request.issue",1,null,"in_process","issued",{"decidedBy":{"field":"f","rule":"r"},"n":1}]',
    );
    expect(e.hash).toBe(createHash('sha256').update(Buffer.alloc(32)).update(canonicalEntry(e)).digest('hex'));
  });

  it('does not depend on the key order of details (jsonb reorders keys)', () => {
    const { entries } = chain(1);
    const e = entries[0];
    expect(chainHash(GENESIS_HASH, { ...e, details: { n: 1, decidedBy: { field: 'f', rule: 'r' } } })).toBe(e.hash);
  });

  it('normalizes details to what jsonb gives back', () => {
    expect(normalizeDetails({ at: new Date('2026-01-01T00:00:00Z'), gone: undefined, n: 1 })).toEqual({ at: '2026-01-01T00:00:00.000Z', n: 1 });
    expect(normalizeDetails(undefined)).toEqual({});
  });

  it('refuses a malformed previous hash', () => {
    expect(() => chainHash('xyz', chain(1).entries[0])).toThrow(/64 hex/);
  });

  const cases: Array<[string, (c: { entries: StoredEntry[]; head: ChainHead }) => { entries: StoredEntry[]; head: ChainHead | null }, { ok: boolean; checked: number; id?: number; reason?: RegExp }]> = [
    ['ok/intact chain', (c) => c, { ok: true, checked: 5 }],
    ['ok/empty log, no head', () => ({ entries: [], head: null }), { ok: true, checked: 0 }],
    [
      'fail/an entry edited (actor changed)',
      (c) => ({ ...c, entries: c.entries.map((e) => (e.seq === 3 ? { ...e, actor: 'mallory' } : e)) }),
      { ok: false, checked: 2, id: 30, reason: /this entry was changed/ },
    ],
    [
      'fail/an entry edited in details',
      (c) => ({ ...c, entries: c.entries.map((e) => (e.seq === 2 ? { ...e, details: { ...e.details, n: 99 } } : e)) }),
      { ok: false, checked: 1, id: 20, reason: /this entry was changed/ },
    ],
    [
      'fail/an entry edited and its own hash recomputed: the next link breaks',
      (c) => ({
        ...c,
        entries: c.entries.map((e) => {
          if (e.seq !== 3) return e;
          const forged = { ...e, actor: 'mallory' };
          return { ...forged, hash: chainHash(e.prevHash, forged) };
        }),
      }),
      { ok: false, checked: 3, id: 40, reason: /previous entry was changed/ },
    ],
    ['fail/a middle entry deleted', (c) => ({ ...c, entries: c.entries.filter((e) => e.seq !== 3) }), { ok: false, checked: 2, id: 40, reason: /entry #3 .*after entry 20 is missing/ }],
    ['fail/the first entry deleted', (c) => ({ ...c, entries: c.entries.slice(1) }), { ok: false, checked: 0, id: 20, reason: /entry #1 .*at the start of the log is missing/ }],
    ['fail/two entries deleted', (c) => ({ ...c, entries: c.entries.filter((e) => e.seq !== 2 && e.seq !== 3) }), { ok: false, checked: 1, id: 40, reason: /entry #2–#3/ }],
    ['fail/the last entries deleted (the head says more)', (c) => ({ ...c, entries: c.entries.slice(0, 3) }), { ok: false, checked: 3, id: 50, reason: /#4–#5 at the end of the log are missing/ }],
    ['fail/the head removed', (c) => ({ ...c, head: null }), { ok: false, checked: 5, id: 50, reason: /head record is missing/ }],
    [
      'fail/two entries swapped (seq renumbered)',
      (c) => {
        const [a, b] = [c.entries[1], c.entries[2]];
        const entries = [...c.entries];
        entries[1] = { ...b, seq: 2 };
        entries[2] = { ...a, seq: 3 };
        return { ...c, entries };
      },
      { ok: false, checked: 1, id: 30, reason: /previous entry was changed/ },
    ],
  ];

  it.each(cases)('%s', (_name, tamper, expected) => {
    const { entries, head } = tamper(chain(5));
    const r = verify(entries, head);
    expect(r.ok).toBe(expected.ok);
    expect(r.checked).toBe(expected.checked);
    if (expected.ok) expect(r.brokenAt).toBeNull();
    else {
      expect(r.brokenAt?.id).toBe(expected.id);
      expect(r.brokenAt?.reason).toMatch(expected.reason!);
    }
  });
});
