import fc from 'fast-check';
import { fenOf, fenText } from './fen';
import { Money } from './money';

describe('fenOf (exact integer fen)', () => {
  it.each([
    ['0', 0n],
    ['0.00', 0n],
    ['12', 1200n],
    ['12.05', 1205n],
    ['2500000.5', 250000050n],
    ['-0.01', -1n],
    ['-1234.50', -123450n],
    ['999999999999999.99', 99999999999999999n],
  ])('%s → %s', (text, fen) => expect(fenOf(text)).toBe(fen));

  it('refuses more than two decimals (a programmer error, not a rounding)', () => {
    expect(() => fenOf('1.234')).toThrow(/more than two decimals/);
  });
});

describe('fenText', () => {
  it.each([
    [0n, '0.00'],
    [1n, '0.01'],
    [-1n, '-0.01'],
    [123450n, '1234.50'],
    [-100n, '-1.00'],
  ])('%s → %s', (fen, text) => expect(fenText(fen)).toBe(text));

  it('round-trips with fenOf and agrees with Money', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 17n) + 1n, max: 10n ** 17n - 1n }), (fen) => {
        const text = fenText(fen);
        return fenOf(text) === fen && Money.fromFen(fen).toString() === text && Money.of(text).toFen() === fen;
      }),
    );
  });
});
