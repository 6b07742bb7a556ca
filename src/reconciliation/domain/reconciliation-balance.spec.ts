import { balanceReport } from './reconciliation-balance';

describe('the difference explained and the 余额调节表 (RULES §8 Reconciliation; R 第二十一条)', () => {
  it('worked example: −15.00 = fee −25.00 + short transfer +10.00; close refused, adjusted balances differ by the match difference', () => {
    const r = balanceReport({
      statementClosingFen: 384475500n,
      ledgerClosingFen: 384477000n,
      unmatchedStatement: [{ kind: 'statement', ref: '4', date: '2025-10-31', fen: -2500n, text: '手续费' }],
      unmatchedLedger: [],
      matchDifferences: [{ kind: 'match', ref: 'm1', date: '2025-10-24', fen: 1000n, text: 'short' }],
    });
    expect(r).toMatchObject({
      difference: '-15.00',
      unexplained: '0.00',
      statementOnlyPayments: '25.00',
      // 3,844,770.00 − 25.00
      adjustedLedgerBalance: '3844745.00',
      adjustedStatementBalance: '3844755.00',
      canClose: false,
    });
    expect(r.blockers.map((b) => b.code)).toEqual(['STATEMENT_LINES_UNMATCHED', 'MATCH_DIFFERENCES']);
  });

  it('items in transit in the books do not block the close: the adjusted balances agree', () => {
    // books paid 1,000.00 on the last day; the bank shows it next month.
    const r = balanceReport({ statementClosingFen: 500000n, ledgerClosingFen: 400000n, unmatchedStatement: [], unmatchedLedger: [{ kind: 'ledger', ref: 'e#1', date: '2025-10-31', fen: -100000n, text: 'payout' }], matchDifferences: [] });
    expect(r).toMatchObject({ difference: '1000.00', unexplained: '0.00', booksOnlyPayments: '1000.00', adjustedLedgerBalance: '4000.00', adjustedStatementBalance: '4000.00', canClose: true });
  });

  it('an opening balance the items do not explain is shown and blocks the close', () => {
    const r = balanceReport({ statementClosingFen: 100n, ledgerClosingFen: 0n, unmatchedStatement: [], unmatchedLedger: [], matchDifferences: [] });
    expect(r.explanation).toEqual([{ kind: 'unexplained', ref: null, date: null, amount: '1.00', text: 'opening balance not explained by items' }]);
    expect(r.canClose).toBe(false);
  });
});
