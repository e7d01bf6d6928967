import { createHash } from 'node:crypto';

/** A SCEP transaction that pends at the CA: what reads it back. */
export interface PendingTransaction {
  requestId: number;
  retrievalSecret: string;
}

/**
 * Pending SCEP transactions (RFC 8894 3.3.3), so a CertPoll — or a client
 * that resends its PKCSReq — reaches the request the first message made.
 * Keyed by the CA, the transactionID and the requester's public key, so
 * nobody but the key holder who started a transaction can poll it: a
 * CertPoll is signed with that key. Two homes: memory (one replica) or the
 * `scep` schema (ADR 0040).
 */
export interface PendingTransactions {
  remember(key: string, t: PendingTransaction): Promise<void>;
  find(key: string): Promise<PendingTransaction | undefined>;
  forget(key: string): Promise<void>;
}

/** The key a transaction is remembered under: SHA-256 of the CA, the transactionID and the signer's key. */
export function transactionKey(ca: string, transactionId: string, signerSpki: Buffer): string {
  // JSON keeps the two strings apart whatever they hold; the key's DER is self-delimiting.
  return createHash('sha256').update(JSON.stringify([ca, transactionId])).update(signerSpki).digest('hex');
}

/** Held in memory, bounded in count and age: what one replica without SIGNET_SCEP_DATABASE_URL uses. */
export class MemoryTransactions implements PendingTransactions {
  private readonly entries = new Map<string, PendingTransaction & { at: number }>();

  constructor(
    private readonly limits: { ttlMs: number; max: number },
    private readonly now: () => number = Date.now,
  ) {}

  async remember(key: string, t: PendingTransaction): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { ...t, at: this.now() });
    // Insertion order is age order: drop the oldest beyond the bound.
    while (this.entries.size > this.limits.max) this.entries.delete(this.entries.keys().next().value!);
  }

  async find(key: string): Promise<PendingTransaction | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.limits.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return { requestId: e.requestId, retrievalSecret: e.retrievalSecret };
  }

  async forget(key: string): Promise<void> {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
