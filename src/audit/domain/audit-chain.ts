import { createHash } from 'node:crypto';

/** The hash before the first row of the audit log. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** What one audit row says; `seq`, `prevHash` and `hash` chain it. */
export interface AuditRecord {
  seq: number;
  /** ISO 8601 UTC with milliseconds, e.g. 2026-12-01T19:30:00.123Z. */
  occurredAt: string;
  requestId: string | null;
  actorTokenId: string | null;
  actorRole: string | null;
  actorParty: string | null;
  action: string;
  targetIds: readonly string[];
  status: number;
  errorCode: string | null;
}

/** A stored row as the database gives it back: the record's fields, its time a Date. */
export type AuditRow = Omit<AuditRecord, 'seq' | 'occurredAt'> & { occurredAt: Date };

/**
 * The record a stored row says, without its place in the chain (`seq`): the fields its hash is
 * taken over, its time as ISO 8601 UTC. The sealer hashes what this gives; verify re-hashes it.
 */
export function auditRecordOf(row: AuditRow): Omit<AuditRecord, 'seq'> {
  return {
    occurredAt: row.occurredAt.toISOString(),
    requestId: row.requestId,
    actorTokenId: row.actorTokenId,
    actorRole: row.actorRole,
    actorParty: row.actorParty,
    action: row.action,
    targetIds: row.targetIds,
    status: row.status,
    errorCode: row.errorCode,
  };
}

/**
 * The hash of an audit row (issue #15: the audit trail is hash-chained like the journal,
 * docs/ledger.md "Hash chain"): SHA-256, hex, of the previous row's hash, a newline, and the
 * canonical JSON array of the row's fields in a fixed order. Changing any field of any row, or
 * removing or reordering rows, breaks every hash from there on.
 *
 * Example: the first row (prev = 64 × "0") of seq 1 at 2026-12-01T00:00:00.000Z, no request id,
 * token t1 (trustee, no party), action "POST /v1/banks", targets ["BANK01"], 201, no error code →
 * sha256("000…0\n[1,"2026-12-01T00:00:00.000Z",null,"t1","trustee",null,"POST /v1/banks",["BANK01"],201,null]").
 */
export function auditHash(prevHash: string, r: AuditRecord): string {
  const canonical = JSON.stringify([r.seq, r.occurredAt, r.requestId, r.actorTokenId, r.actorRole, r.actorParty, r.action, [...r.targetIds], r.status, r.errorCode]);
  return createHash('sha256').update(`${prevHash}\n${canonical}`, 'utf8').digest('hex');
}

export interface StoredAuditRecord extends AuditRecord {
  prevHash: string;
  hash: string;
}

/** Where a walk of the chain stopped. */
export interface ChainCheck {
  ok: boolean;
  entries: number;
  head: string;
  /** The first row whose link or hash does not hold, and why. */
  broken: { seq: number; reason: 'sequence_gap' | 'prev_hash_mismatch' | 'hash_mismatch' } | null;
}

/**
 * Walks rows in sequence order from `start` (the genesis, or the last row of a previous page):
 * every row must follow its predecessor (seq + 1, prevHash = its hash) and its own hash must be
 * the hash of its fields. Stops at the first broken row.
 */
export function walkAuditChain(rows: readonly StoredAuditRecord[], start: { seq: number; hash: string } = { seq: 0, hash: AUDIT_GENESIS_HASH }, counted = 0): ChainCheck {
  let prev = start;
  let entries = counted;
  for (const row of rows) {
    if (row.seq !== prev.seq + 1) return { ok: false, entries, head: prev.hash, broken: { seq: row.seq, reason: 'sequence_gap' } };
    if (row.prevHash !== prev.hash) return { ok: false, entries, head: prev.hash, broken: { seq: row.seq, reason: 'prev_hash_mismatch' } };
    if (auditHash(row.prevHash, row) !== row.hash) return { ok: false, entries, head: prev.hash, broken: { seq: row.seq, reason: 'hash_mismatch' } };
    prev = { seq: row.seq, hash: row.hash };
    entries++;
  }
  return { ok: true, entries, head: prev.hash, broken: null };
}

/** What sealing gives a row: its place in the chain and its link. */
export interface AuditSeal {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * Seals a batch (docs/audit.md "Sealed after commit"): the committed, unsealed rows, in the order
 * given (the sealer reads them by their time-ordered id), follow the head one after another —
 * seq head + 1, head + 2, …, each row's prevHash the hash before it. The same hash as a row
 * appended alone at that place (auditHash), so verify walks sealed rows exactly as before.
 *
 * Example: head { seq: 7, hash: h7 } and rows [a, b] → a gets seq 8, prevHash h7,
 * hash auditHash(h7, a@8); b gets seq 9, prevHash hash(a), hash auditHash(hash(a), b@9).
 */
export function sealAuditRows(head: { seq: number; hash: string }, rows: readonly Omit<AuditRecord, 'seq'>[]): AuditSeal[] {
  let prev = head;
  return rows.map((row) => {
    const seq = prev.seq + 1;
    const hash = auditHash(prev.hash, { ...row, seq });
    const seal = { seq, prevHash: prev.hash, hash };
    prev = { seq, hash };
    return seal;
  });
}
