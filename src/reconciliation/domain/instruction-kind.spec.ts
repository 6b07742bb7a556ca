import { instructionKind } from './instruction-kind';

describe('payment instruction kinds (RULES §8; docs/reconciliation.md)', () => {
  it('from the link the posting recipes set and the side on the deposit account', () => {
    expect(instructionKind('claim', 'out', false)).toBe('payout');
    expect(instructionKind('claim-recovery', 'in', false)).toBe('refund');
    expect(instructionKind('reserve-funding', 'in', false)).toBe('appropriation');
    expect(instructionKind('bank', 'in', false)).toBe('interest');
    expect(instructionKind('placement-transfer', 'out', false)).toBe('placement');
    expect(instructionKind('quarter', 'out', false)).toBe('custody-fee');
    expect(instructionKind('reconciliation-correction', 'out', false)).toBe('correction');
    expect(instructionKind('claim', 'in', true)).toBe('reversal');
    expect(instructionKind(null, 'in', false)).toBe('other');
  });
});
