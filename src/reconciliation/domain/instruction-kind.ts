/**
 * What kind of movement a reserve-account line is, for the payment instructions (RULES §8
 * "Reconciliation" and the placement cycle, 2026-12): from the link its entry carries, which the
 * posting recipes set (src/reserve/domain/reserve-postings.ts), and its side on the deposit
 * account (debit = money in, credit = money out).
 *
 * | link type                      | in              | out            |
 * |--------------------------------|-----------------|----------------|
 * | reserve-funding                | appropriation   | —              |
 * | bank (interest)                | interest        | —              |
 * | claim (payout leg)             | —               | payout         |
 * | claim-recovery                 | refund          | —              |
 * | placement*, transfer*          | placement       | placement      |
 * | quarter*, custody*             | custody-fee     | custody-fee    |
 * | reconciliation-correction      | correction      | correction     |
 * | a reversing entry              | reversal        | reversal       |
 * | anything else                  | other           | other          |
 *
 * Example: the payout of claim C drawing 805,230.00 from BANK02's account → a credit of
 * reserve:deposit:BANK02 with link claim C → direction out, kind payout.
 */
export type InstructionKind = 'appropriation' | 'interest' | 'payout' | 'refund' | 'placement' | 'custody-fee' | 'correction' | 'reversal' | 'other';
export type Direction = 'in' | 'out';

export function instructionKind(linkType: string | null, direction: Direction, isReversal: boolean): InstructionKind {
  if (isReversal) return 'reversal';
  const t = (linkType ?? '').toLowerCase();
  if (t === 'reserve-funding' && direction === 'in') return 'appropriation';
  if (t === 'bank' && direction === 'in') return 'interest';
  if (t === 'claim' && direction === 'out') return 'payout';
  if (t === 'claim-recovery' && direction === 'in') return 'refund';
  if (t.startsWith('placement') || t.startsWith('transfer') || t.startsWith('account-move')) return 'placement';
  if (t.startsWith('quarter') || t.startsWith('custody')) return 'custody-fee';
  if (t === 'reconciliation-correction') return 'correction';
  return 'other';
}
