import { createHash } from 'node:crypto';
import { AUDIT_GENESIS_HASH, auditHash, walkAuditChain, type AuditRecord, type StoredAuditRecord } from './audit-chain';

const first: AuditRecord = {
  seq: 1,
  occurredAt: '2026-12-01T00:00:00.000Z',
  requestId: null,
  actorTokenId: 't1',
  actorRole: 'trustee',
  actorParty: null,
  action: 'POST /v1/banks',
  targetIds: ['BANK01'],
  status: 201,
  errorCode: null,
};

function chain(records: AuditRecord[]): StoredAuditRecord[] {
  let prev = AUDIT_GENESIS_HASH;
  return records.map((r) => {
    const hash = auditHash(prev, r);
    const stored = { ...r, prevHash: prev, hash };
    prev = hash;
    return stored;
  });
}

describe('audit hash chain (issue #15: hash-chained like the journal)', () => {
  it('the worked example: sha256 of the genesis hash, a newline and the canonical field array', () => {
    const expected = createHash('sha256')
      .update(`${'0'.repeat(64)}\n[1,"2026-12-01T00:00:00.000Z",null,"t1","trustee",null,"POST /v1/banks",["BANK01"],201,null]`, 'utf8')
      .digest('hex');
    expect(auditHash(AUDIT_GENESIS_HASH, first)).toBe(expected);
  });

  it('an intact chain of three rows verifies, with its head the last hash', () => {
    const rows = chain([first, { ...first, seq: 2, status: 400, errorCode: 'REQUEST.INVALID' }, { ...first, seq: 3 }]);
    expect(walkAuditChain(rows)).toEqual({ ok: true, entries: 3, head: rows[2].hash, broken: null });
  });

  it('a changed field breaks that row’s hash; a removed row breaks the sequence', () => {
    const rows = chain([first, { ...first, seq: 2 }, { ...first, seq: 3 }]);
    const tampered = rows.map((r) => (r.seq === 2 ? { ...r, actorRole: 'approver' } : r));
    expect(walkAuditChain(tampered).broken).toEqual({ seq: 2, reason: 'hash_mismatch' });
    expect(walkAuditChain([rows[0], rows[2]]).broken).toEqual({ seq: 3, reason: 'sequence_gap' });
    const relinked = [rows[0], { ...rows[2], seq: 2 }];
    expect(walkAuditChain(relinked).broken).toEqual({ seq: 2, reason: 'prev_hash_mismatch' });
  });
});
