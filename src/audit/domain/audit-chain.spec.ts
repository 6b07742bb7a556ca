import { createHash } from 'node:crypto';
import { AUDIT_GENESIS_HASH, auditHash, auditRecordOf, sealAuditRows, walkAuditChain, type AuditRecord, type StoredAuditRecord } from './audit-chain';

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

describe('sealing after commit (issue 16: rows are chained in batches once committed)', () => {
  const unsealed: Omit<AuditRecord, 'seq'> = {
    occurredAt: first.occurredAt,
    requestId: first.requestId,
    actorTokenId: first.actorTokenId,
    actorRole: first.actorRole,
    actorParty: first.actorParty,
    action: first.action,
    targetIds: first.targetIds,
    status: first.status,
    errorCode: first.errorCode,
  };

  it('a batch follows the head one row at a time, each linked to the one before', () => {
    const rows = [unsealed, { ...unsealed, action: 'POST /v1/agencies', targetIds: ['AG01'] }];
    const seals = sealAuditRows({ seq: 0, hash: AUDIT_GENESIS_HASH }, rows);
    expect(seals.map((s) => s.seq)).toEqual([1, 2]);
    expect(seals[0]).toEqual({ seq: 1, prevHash: AUDIT_GENESIS_HASH, hash: auditHash(AUDIT_GENESIS_HASH, first) });
    expect(seals[1].prevHash).toBe(seals[0].hash);
    // The sealed rows walk as an intact chain, exactly like rows appended one by one.
    const stored = rows.map((r, i) => ({ ...r, ...seals[i] }));
    expect(walkAuditChain(stored)).toEqual({ ok: true, entries: 2, head: seals[1].hash, broken: null });
    expect(stored).toEqual(chain([first, { ...rows[1], seq: 2 }]));
  });

  it('a second batch continues from the head the first left: no gap, no second genesis', () => {
    const a = sealAuditRows({ seq: 0, hash: AUDIT_GENESIS_HASH }, [unsealed]);
    const b = sealAuditRows({ seq: a[0].seq, hash: a[0].hash }, [{ ...unsealed, status: 409, errorCode: 'CLAIM.WRONG_STATUS' }]);
    expect(b).toEqual([{ seq: 2, prevHash: a[0].hash, hash: auditHash(a[0].hash, { ...unsealed, seq: 2, status: 409, errorCode: 'CLAIM.WRONG_STATUS' }) }]);
    expect(sealAuditRows({ seq: 5, hash: a[0].hash }, [])).toEqual([]);
  });

  it('a stored row gives its record: the hashed fields only, its time as ISO 8601 UTC with milliseconds', () => {
    // As the database gives a row back: its id and (still empty) chain columns besides the record's fields.
    const row = { ...unsealed, id: '42', seq: null, prevHash: null, hash: null, occurredAt: new Date(Date.UTC(2026, 11, 1, 0, 0, 0, 0)) };
    expect(auditRecordOf(row)).toStrictEqual(unsealed);
    expect(sealAuditRows({ seq: 0, hash: AUDIT_GENESIS_HASH }, [auditRecordOf(row)])[0].hash).toBe(auditHash(AUDIT_GENESIS_HASH, first));
  });
});
