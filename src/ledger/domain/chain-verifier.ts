import { CanonicalEntryInput, GENESIS_HASH, entryHash } from './canonical';

export interface StoredEntry extends CanonicalEntryInput {
  prevHash: string;
  hash: string;
}

export type BrokenReason = 'SEQUENCE_GAP' | 'PREV_HASH_MISMATCH' | 'HASH_MISMATCH' | 'HEAD_MISMATCH';

export interface BrokenLink {
  sequence: number;
  entryId: string | null;
  reason: BrokenReason;
  expected: string;
  actual: string;
}

/** Where a walk starts: after this sequence, whose hash is `hash` (0 and the genesis hash: the whole chain). */
export interface ChainStart {
  sequence: number;
  hash: string;
}

export const CHAIN_ORIGIN: ChainStart = { sequence: 0, hash: GENESIS_HASH };

/**
 * Walks a book's hash chain one entry at a time, in sequence order, holding only the previous
 * hash (constant memory). The first broken link is kept; later entries are still counted.
 *
 * An incremental walk starts after a checkpoint (an entry already verified, its sequence and
 * hash) instead of at the genesis hash: the entries after it must follow on from it exactly as
 * in a whole walk. Example: checkpoint {sequence: 3000, hash: h3000}; entries 3001…3010 are fed;
 * 3001's prev_hash must be h3000, and the head must be 3010 and 3010's hash.
 */
export class ChainVerifier {
  private expectedSequence: number;
  private prevHash: string;
  private firstBroken: BrokenLink | null = null;
  private count = 0;

  constructor(private readonly start: ChainStart = CHAIN_ORIGIN) {
    this.expectedSequence = start.sequence + 1;
    this.prevHash = start.hash;
  }

  /** Entries fed so far. */
  get walked(): number {
    return this.count;
  }

  get broken(): boolean {
    return this.firstBroken !== null;
  }

  feed(entry: StoredEntry): void {
    this.count += 1;
    if (this.firstBroken) return;
    if (entry.sequence !== this.expectedSequence) {
      this.firstBroken = {
        sequence: this.expectedSequence,
        entryId: null,
        reason: 'SEQUENCE_GAP',
        expected: String(this.expectedSequence),
        actual: String(entry.sequence),
      };
      return;
    }
    if (entry.prevHash !== this.prevHash) {
      this.firstBroken = { sequence: entry.sequence, entryId: entry.id, reason: 'PREV_HASH_MISMATCH', expected: this.prevHash, actual: entry.prevHash };
      return;
    }
    const recomputed = entryHash(entry.prevHash, entry);
    if (recomputed !== entry.hash) {
      this.firstBroken = { sequence: entry.sequence, entryId: entry.id, reason: 'HASH_MISMATCH', expected: recomputed, actual: entry.hash };
      return;
    }
    this.prevHash = entry.hash;
    this.expectedSequence += 1;
  }

  /**
   * Compares the end of the chain with the book head (last sequence and hash). `entries` is the
   * length of the chain up to the head (the checkpoint's entries included).
   */
  finish(head: { lastSequence: number; lastHash: string }): { ok: boolean; entries: number; head: string; firstBroken: BrokenLink | null } {
    const reached = this.start.sequence + this.count;
    if (!this.firstBroken && (head.lastSequence !== reached || head.lastHash !== this.prevHash)) {
      this.firstBroken = {
        sequence: head.lastSequence,
        entryId: null,
        reason: 'HEAD_MISMATCH',
        expected: `${head.lastSequence}:${head.lastHash}`,
        actual: `${reached}:${this.prevHash}`,
      };
    }
    return { ok: this.firstBroken === null, entries: reached, head: head.lastHash, firstBroken: this.firstBroken };
  }
}
