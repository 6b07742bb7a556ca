import { Money } from '../../common/money/money';
import { HENAN_2021, HENAN_2025 } from '../../programme/domain/henan-versions';
import { applyBankAnnualCap, bankAnnualRoom, hasBankAnnualCap } from './bank-annual-cap.calculator';

const room = (balance: string, approved: string) =>
  bankAnnualRoom({ bankCode: 'BK', year: 2026, balancePreviousYearEnd: Money.of(balance), approvedThisYear: Money.of(approved) }, HENAN_2025);

describe('per-bank annual cap (RULES §11a, henan-2025)', () => {
  it('henan-2025 has it, henan-2021 does not', () => {
    expect(hasBankAnnualCap(HENAN_2025)).toBe(true);
    expect(hasBankAnnualCap(HENAN_2021)).toBe(false);
  });

  it('cap = min(2% of the previous year-end balance, 10,000,000.00); room = cap − approved this year', () => {
    // 100,000,000.00 × 2% = 2,000,000.00
    expect(room('100000000.00', '0.00')).toMatchObject({ cap: Money.of('2000000.00'), room: Money.of('2000000.00') });
    // 800,000,000.00 × 2% = 16,000,000.00 → 10,000,000.00
    expect(room('800000000.00', '3000000.00').room.toString()).toBe('7000000.00');
    // 123,456,789.87 × 2% = 2,469,135.7974 → 2,469,135.80 (half-up)
    expect(room('123456789.87', '0.00').cap.toString()).toBe('2469135.80');
    expect(room('100000000.00', '2500000.00').room.toString()).toBe('0.00');
  });

  it('within the room in full; above it for the room left; no room → refused (issue 11: 1,000,000.00, then 1,000,000.00 of 1,500,000.00, then refused)', () => {
    const first = applyBankAnnualCap(Money.of('1000000.00'), room('100000000.00', '0.00'), HENAN_2025);
    expect(first).toMatchObject({ approved: Money.of('1000000.00'), cut: false, refused: false });
    const second = applyBankAnnualCap(Money.of('1500000.00'), room('100000000.00', '1000000.00'), HENAN_2025);
    expect(second).toMatchObject({ approved: Money.of('1000000.00'), cut: true, refused: false });
    expect(second.breakdown[2].text).toBe('Compensation 1,500,000.00 > room 1,000,000.00: approved for the room left, 1,000,000.00 (500,000.00 not approved)');
    const third = applyBankAnnualCap(Money.of('500000.00'), room('100000000.00', '2000000.00'), HENAN_2025);
    expect(third).toMatchObject({ approved: Money.ZERO, refused: true });
  });
});
