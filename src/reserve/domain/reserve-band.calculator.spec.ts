import { Money } from '../../common/money/money';
import { HENAN_2021_BASE } from '../../programme/domain/henan-versions';
import { computeReserveBand } from './reserve-band.calculator';

const policy = HENAN_2021_BASE;
const band = (balance: string, current: string) =>
  computeReserveBand(
    { outstandingBalance: Money.of(balance), currentTotal: Money.of(current) },
    policy,
  );

describe('computeReserveBand (RULES §8; R 第七条)', () => {
  it('RULES §8: balance 3,000,000,000.00, reserve 280,000,000.00 → band 300,000,000.00–450,000,000.00, top-up 20,000,000.00', () => {
    // 10% × 3,000,000,000 = 300,000,000; 15% = 450,000,000; 300,000,000 − 280,000,000 = 20,000,000
    const r = band('3000000000.00', '280000000.00');
    expect(r.min.toString()).toBe('300000000.00');
    expect(r.max.toString()).toBe('450000000.00');
    expect(r.topUp.toString()).toBe('20000000.00');
    expect(r.excess.toString()).toBe('0.00');
    expect(r.withinBand).toBe(false);
  });

  it('RULES §8: reserve 500,000,000.00 above the 450,000,000.00 max → excess 50,000,000.00', () => {
    const r = band('3000000000.00', '500000000.00');
    expect(r.topUp.toString()).toBe('0.00');
    expect(r.excess.toString()).toBe('50000000.00');
  });

  it('RULES §8: reserve exactly at the min or max is within the band', () => {
    expect(band('3000000000.00', '300000000.00').withinBand).toBe(true);
    expect(band('3000000000.00', '450000000.00').withinBand).toBe(true);
  });

  it('RULES §8 rounding: 1,234,567.85 × 10% = 123,456.785 → 123,456.79; × 15% = 185,185.1775 → 185,185.18', () => {
    const r = band('1234567.85', '0.00');
    expect(r.min.toString()).toBe('123456.79');
    expect(r.max.toString()).toBe('185185.18');
    expect(r.topUp.toString()).toBe('123456.79');
  });
});
