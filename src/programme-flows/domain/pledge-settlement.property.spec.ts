import fc from 'fast-check';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { draftTotals } from '../../ledger/domain/entry-draft';
import { settlementPosting } from './flow-books';
import { pledgeSettlement } from './pledge-settlement.calculator';

const fen = (max: number) => fc.bigInt({ min: 0n, max: BigInt(max) }).map((f) => Money.fromFen(f));
const ratio = fc.integer({ min: 0, max: 100 }).map((p) => Rate.of(p / 100));

/**
 * Invariants of the settlement (RULES §11; xinxiang 七.3; docs/programme-flows.md), for any loss,
 * advance, sale and ratio: the advance plus the signed difference is the final share, the final
 * share never exceeds the loss at default × the ratio, and the settlement entry balances.
 */
describe('IP-pledge settlement invariants (property)', () => {
  it('advance ± difference = final compensation ≤ loss × ratio, and the entry balances', () => {
    fc.assert(
      fc.property(fen(5e11), fen(5e11), fen(5e11), fen(1e10), ratio, (loss, advance, proceeds, costs, settlementRatio) => {
        const s = pledgeSettlement({ lossAmount: loss, advance, proceeds, disposalCosts: costs, settlementRatio });
        const signed = s.direction === 'refund' ? s.difference.negated() : s.difference;
        expect(advance.plus(signed).eq(s.finalCompensation)).toBe(true);
        expect(s.finalCompensation.lte(Money.round(loss.times(settlementRatio)))).toBe(true);
        expect(s.finalLoss.lte(loss) && !s.finalLoss.isNegative()).toBe(true);
        expect(s.direction === 'none').toBe(s.difference.isZero());
        const recipe = settlementPosting({ claimId: 'C', bankCode: 'B', advance, finalCompensation: s.finalCompensation, direction: s.direction, difference: s.difference, settledOn: '2025-12-01' });
        const totals = draftTotals(recipe.entry);
        expect(totals.debits.eq(totals.credits)).toBe(true);
        expect(recipe.entry.lines.every((l) => (l.debit ?? l.credit)?.isPositive())).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
