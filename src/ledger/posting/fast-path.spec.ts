import { accountKey } from '../domain/posting-check';
import { autocommitSafe } from './fast-path';
import { Group, Prepared } from './posting.types';

/** An entry of `book` whose lines are [account, 'D' | 'C', fen]. */
function entry(book: string, lines: [string, 'D' | 'C', bigint][]): Prepared {
  return {
    index: 0,
    book,
    lines: lines.map(([account, side]) => ({ account, side: side === 'D' ? 'debit' : 'credit' })),
    fen: lines.map(([, , fen]) => fen),
  } as unknown as Prepared;
}
const group = (...items: Prepared[]): Group => ({ items, indexed: items.length > 1 });
const none = new Set<string>();

describe('autocommitSafe: which batches may run as one autocommitted statement (docs/ledger.md "Group commit")', () => {
  it('a lone entry always may', () => {
    expect(autocommitSafe([group(entry('reserve', [['d', 'C', 100n], ['p', 'D', 100n]]))], none)).toBe(true);
  });

  it('worked example: deposit D moved both ways → no; D only falling → yes', () => {
    const a = entry('reserve', [['A', 'D', 1000n], ['D', 'C', 1000n]]);
    expect(autocommitSafe([group(a), group(entry('reserve', [['D', 'D', 500n], ['B', 'C', 500n]]))], none)).toBe(false);
    expect(autocommitSafe([group(a), group(entry('reserve', [['B', 'D', 500n], ['D', 'C', 500n]]))], none)).toBe(true);
  });

  it('within one group too: entries are checked one after the other', () => {
    const down = entry('reserve', [['A', 'D', 1000n], ['D', 'C', 1000n]]);
    const up = entry('reserve', [['D', 'D', 500n], ['B', 'C', 500n]]);
    expect(autocommitSafe([group(down, up)], none)).toBe(false);
  });

  it("an entry's net movement per account counts; a net of zero moves nothing", () => {
    const wash = entry('reserve', [['D', 'D', 300n], ['D', 'C', 300n], ['A', 'D', 1n], ['B', 'C', 1n]]);
    const down = entry('reserve', [['A', 'D', 10n], ['D', 'C', 10n]]);
    expect(autocommitSafe([group(wash), group(down)], none)).toBe(true);
    const netUp = entry('reserve', [['D', 'D', 300n], ['D', 'C', 100n], ['B', 'C', 200n]]);
    expect(autocommitSafe([group(netUp), group(down)], none)).toBe(false);
  });

  it('accounts known to have no floor may move both ways', () => {
    const batch = [group(entry('reserve', [['A', 'D', 10n], ['CAP', 'C', 10n]])), group(entry('reserve', [['CAP', 'D', 5n], ['B', 'C', 5n]]))];
    expect(autocommitSafe(batch, none)).toBe(false);
    expect(autocommitSafe(batch, new Set([accountKey('reserve', 'CAP')]))).toBe(true);
    // The key is per book: the same code in another book is another account.
    expect(autocommitSafe(batch, new Set([accountKey('margin', 'CAP')]))).toBe(false);
  });

  it('two books in one batch → no (an unknown book would write nothing while the others commit)', () => {
    expect(autocommitSafe([group(entry('reserve', [['A', 'D', 1n], ['B', 'C', 1n]])), group(entry('margin', [['A', 'D', 1n], ['B', 'C', 1n]]))], none)).toBe(false);
  });
});
