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

/**
 * Walks a book's hash chain one entry at a time, in sequence order, holding only the previous
 * hash (constant memory). The first broken link is kept; later entries are still counted.
 */
export class ChainVerifier {
  private expectedSequence = 1;
  private prevHash = GENESIS_HASH;
  private firstBroken: BrokenLink | null = null;
  private count = 0;

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

  /** Compares the end of the chain with the book head (last sequence and hash). */
  finish(head: { lastSequence: number; lastHash: string }): { ok: boolean; entries: number; head: string; firstBroken: BrokenLink | null } {
    if (!this.firstBroken && (head.lastSequence !== this.count || head.lastHash !== this.prevHash)) {
      this.firstBroken = {
        sequence: head.lastSequence,
        entryId: null,
        reason: 'HEAD_MISMATCH',
        expected: `${head.lastSequence}:${head.lastHash}`,
        actual: `${this.count}:${this.prevHash}`,
      };
    }
    return { ok: this.firstBroken === null, entries: this.count, head: head.lastHash, firstBroken: this.firstBroken };
  }
}
