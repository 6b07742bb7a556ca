import { DomainError } from '../../common/errors/domain-error';
import { Side } from './accounts';
import { Balances, EntryToCheck, accountKey, checkGroup } from './posting-check';

const BOOK = 'reserve';
const DEPOSIT = 'reserve:deposit:BANK01';
const PAYABLE = 'reserve:payable:BANK01';
const HELD = 'reserve:held:AG01';

/** deposit: debit-normal, floor 0.00, balance 100.00; payable: credit-normal, no floor, 0.00; held: credit-normal, floor 0.00, balance 50.00. */
function balances(): Balances {
  return new Map([
    [accountKey(BOOK, DEPOSIT), { id: '1', normalSide: 'debit' as Side, floor: 0n, debits: 10_000n, credits: 0n }],
    [accountKey(BOOK, PAYABLE), { id: '2', normalSide: 'credit' as Side, floor: null, debits: 0n, credits: 0n }],
    [accountKey(BOOK, HELD), { id: '3', normalSide: 'credit' as Side, floor: 0n, debits: 0n, credits: 5_000n }],
  ]);
}

function entry(index: number, lines: [string, Side, bigint][], effectiveDate = '2025-07-15'): EntryToCheck {
  return { index, book: BOOK, effectiveDate, lines: lines.map(([account, side]) => ({ account, side })), fen: lines.map(([, , fen]) => fen) };
}

const open = () => null;

describe('checkGroup: the checks on locked balance rows (docs/ledger.md "Floors under concurrency")', () => {
  it('accepts a movement that stays on the floor and applies it: 100.00 − 100.00 = 0.00 ≥ 0.00', () => {
    const b = balances();
    const outcome = checkGroup({ items: [entry(0, [[PAYABLE, 'debit', 10_000n], [DEPOSIT, 'credit', 10_000n]])], indexed: false }, b, open);
    expect(outcome).toEqual({ kind: 'accepted' });
    expect(b.get(accountKey(BOOK, DEPOSIT))).toMatchObject({ debits: 10_000n, credits: 10_000n });
    expect(b.get(accountKey(BOOK, PAYABLE))).toMatchObject({ debits: 10_000n, credits: 0n });
  });

  it('refuses 100.00 − 100.01 = −0.01 < 0.00 with the figures, and leaves the balances as they were (FLOOR_BREACH)', () => {
    const b = balances();
    const outcome = checkGroup({ items: [entry(0, [[PAYABLE, 'debit', 10_001n], [DEPOSIT, 'credit', 10_001n]])], indexed: false }, b, open);
    expect(outcome.kind).toBe('refused');
    const error = (outcome as { error: DomainError }).error;
    expect(error.code).toBe('LEDGER.FLOOR_BREACH');
    expect(error.details).toEqual([
      {
        code: 'LEDGER.FLOOR_BREACH',
        message: `${DEPOSIT} would go from 100.00 to -0.01, below its floor 0.00`,
        account: DEPOSIT,
        balance: '100.00',
        change: '-100.01',
        wouldBe: '-0.01',
        floor: '0.00',
      },
    ]);
    expect(b.get(accountKey(BOOK, DEPOSIT))).toMatchObject({ debits: 10_000n, credits: 0n });
  });

  it('a credit-normal floored account is lowered by debits: held 50.00 − 50.01 → refused; + 0.01 → accepted', () => {
    const refused = checkGroup({ items: [entry(0, [[HELD, 'debit', 5_001n], [PAYABLE, 'credit', 5_001n]])], indexed: false }, balances(), open);
    expect((refused as { error: DomainError }).error.details[0]).toMatchObject({ account: HELD, balance: '50.00', change: '-50.01', wouldBe: '-0.01' });
    expect(checkGroup({ items: [entry(0, [[PAYABLE, 'debit', 1n], [HELD, 'credit', 1n]])], indexed: false }, balances(), open).kind).toBe('accepted');
  });

  it('raising a balance that is below its floor is always allowed: floor 500.00, balance 100.00, + 1.00 → accepted', () => {
    const b = balances();
    (b.get(accountKey(BOOK, DEPOSIT)) as { floor: bigint }).floor = 50_000n;
    expect(checkGroup({ items: [entry(0, [[DEPOSIT, 'debit', 100n], [PAYABLE, 'credit', 100n]])], indexed: false }, b, open).kind).toBe('accepted');
  });

  it('checks the net movement per account within an entry: 100.00 − 150.00 + 60.00 = 10.00 ≥ 0.00 → accepted', () => {
    const item = entry(0, [
      [DEPOSIT, 'credit', 15_000n],
      [DEPOSIT, 'debit', 6_000n],
      [PAYABLE, 'debit', 9_000n],
    ]);
    expect(checkGroup({ items: [item], indexed: false }, balances(), open).kind).toBe('accepted');
  });

  it('each entry of a group sees the earlier ones: 100.00 − 60.00 = 40.00, then 40.00 − 50.00 → entry 1 refused, nothing applied', () => {
    const b = balances();
    const outcome = checkGroup(
      {
        items: [entry(0, [[PAYABLE, 'debit', 6_000n], [DEPOSIT, 'credit', 6_000n]]), entry(1, [[PAYABLE, 'debit', 5_000n], [DEPOSIT, 'credit', 5_000n]])],
        indexed: true,
      },
      b,
      open,
    );
    const error = (outcome as { error: DomainError }).error;
    expect(error.message).toMatch(/^entries\.1: /);
    expect(error.details[0]).toMatchObject({ entry: 1, balance: '40.00', wouldBe: '-10.00' });
    expect(b.get(accountKey(BOOK, DEPOSIT))).toMatchObject({ debits: 10_000n, credits: 0n });
  });

  it('refuses an entry dated on or before the closed-through date before looking at floors (CLOSED_PERIOD)', () => {
    const item = entry(0, [[PAYABLE, 'debit', 99_999n], [DEPOSIT, 'credit', 99_999n]], '2025-06-30');
    const outcome = checkGroup({ items: [item], indexed: false }, balances(), () => '2025-06-30');
    expect((outcome as { error: DomainError }).error.code).toBe('LEDGER.CLOSED_PERIOD');
    expect(checkGroup({ items: [{ ...item, effectiveDate: '2025-07-01', fen: [1n, 1n] }], indexed: false }, balances(), () => '2025-06-30').kind).toBe('accepted');
  });

  it('stops at the first entry naming accounts without a balance row, listing each once (the caller decides book or account)', () => {
    const good = entry(0, [[PAYABLE, 'debit', 1n], [DEPOSIT, 'credit', 1n]]);
    const bad = entry(1, [
      ['reserve:deposit:NOBANK', 'debit', 1n],
      ['reserve:deposit:NOBANK', 'debit', 1n],
      ['reserve:other', 'credit', 2n],
    ]);
    const b = balances();
    expect(checkGroup({ items: [good, bad], indexed: true }, b, open)).toEqual({ kind: 'unknown-accounts', entry: bad, accounts: ['reserve:deposit:NOBANK', 'reserve:other'] });
    expect(b.get(accountKey(BOOK, DEPOSIT))).toMatchObject({ credits: 0n });
  });

  it('a closed account accepts no line, on either side (RULES §8 account moves; docs/reserve-accounts.md): 409 LEDGER.ACCOUNT_CLOSED, balances untouched', () => {
    const b = balances();
    (b.get(accountKey(BOOK, DEPOSIT)) as { closedOn?: string }).closedOn = '2025-06-30';
    for (const side of ['debit', 'credit'] as const) {
      const other = side === 'debit' ? 'credit' : 'debit';
      const outcome = checkGroup({ items: [entry(0, [[DEPOSIT, side, 1n], [PAYABLE, other, 1n]])], indexed: false }, b, open);
      expect(outcome.kind).toBe('refused');
      const error = (outcome as { error: DomainError }).error;
      expect(error.code).toBe('LEDGER.ACCOUNT_CLOSED');
      expect(error.kind).toBe('conflict');
      expect(error.details).toEqual([expect.objectContaining({ account: DEPOSIT, closedOn: '2025-06-30' })]);
    }
    expect(b.get(accountKey(BOOK, DEPOSIT))).toMatchObject({ debits: 10_000n, credits: 0n });
  });
});
