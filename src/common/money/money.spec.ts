import fc from 'fast-check';
import { D } from './decimal';
import { Money } from './money';
import { checkDecimalString, DecimalParseError, MONEY_RULES, RATE_RULES } from './money-parse';
import { Rate } from './rate';

describe('Money parsing (API.md "Conventions": money is a JSON string)', () => {
  it.each([
    ['0', '0.00'],
    ['0.5', '0.50'],
    ['1825230.00', '1825230.00'],
    ['999999999999999.99', '999999999999999.99'],
  ])('accepts %s and shows it as %s', (input, shown) => {
    expect(Money.parse(input).toString()).toBe(shown);
  });

  it.each([
    [1825230, 'NOT_A_STRING'],
    [1825230.0, 'NOT_A_STRING'],
    [null, 'NOT_A_STRING'],
    ['', 'EMPTY'],
    ['1e6', 'NOT_A_DECIMAL'],
    ['1.5E3', 'NOT_A_DECIMAL'],
    ['+5.00', 'NOT_A_DECIMAL'],
    ['-5.00', 'NEGATIVE_NOT_ALLOWED'],
    ['NaN', 'NOT_A_DECIMAL'],
    ['Infinity', 'NOT_A_DECIMAL'],
    ['１２３.００', 'NOT_A_DECIMAL'], // full-width digits
    ['١٢٣', 'NOT_A_DECIMAL'], // Arabic-Indic digits
    ['012.00', 'NOT_A_DECIMAL'],
    [' 12.00', 'NOT_A_DECIMAL'],
    ['12.', 'NOT_A_DECIMAL'],
    ['.5', 'NOT_A_DECIMAL'],
    ['1,000.00', 'NOT_A_DECIMAL'],
    ['0x10', 'NOT_A_DECIMAL'],
    ['12.345', 'TOO_MANY_DECIMALS'],
    ['1000000000000000.00', 'TOO_MANY_INTEGER_DIGITS'], // 16 integer digits
  ])('refuses %j with %s', (input, reason) => {
    expect(checkDecimalString(input, MONEY_RULES)).toBe(reason);
    expect(() => Money.parse(input)).toThrow(DecimalParseError);
  });

  it('parseSigned accepts a negative amount', () => {
    expect(Money.parseSigned('-12.30').toString()).toBe('-12.30');
  });
});

describe('Money rounding (RULES §4 "Decision (money)": half-up to the fen)', () => {
  it.each([
    ['42050.004999', '42050.00'],
    ['42050.005', '42050.01'],
    ['1825230.0049', '1825230.00'],
    ['-0.005', '-0.01'], // half away from zero, as decimal.js ROUND_HALF_UP does
    ['111222.2222222', '111222.22'],
  ])('rounds %s to %s', (raw, shown) => {
    expect(Money.round(raw).toString()).toBe(shown);
  });

  it('3,000,000.00 × 116 × 0.0435 / 360 = 42,050.00 (RULES §4 example A interest)', () => {
    // 3,000,000 × 116 = 348,000,000; × 0.0435 = 15,138,000; / 360 = 42,050 exactly.
    const interest = Money.parse('3000000.00').times(new D(116).times('0.0435').dividedBy(360));
    expect(Money.round(interest).toString()).toBe('42050.00');
  });

  it('Money.of refuses a third decimal: rounding must be explicit', () => {
    expect(() => Money.of('1.005')).toThrow(/more than 2 decimals/);
  });
});

const moneyString = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), fc.integer({ min: 0, max: 99 }))
  .map(([int, fen]) => `${int}.${String(fen).padStart(2, '0')}`);

describe('Money properties (fast-check)', () => {
  it('parse → toString is the identity on two-decimal strings', () => {
    fc.assert(fc.property(moneyString, (s) => Money.parse(s).toString() === s));
  });

  it('toFen → fromFen round-trips exactly', () => {
    fc.assert(fc.property(moneyString, (s) => Money.fromFen(Money.parse(s).toFen()).toString() === s));
  });

  it('rounding moves an amount by at most half a fen, and is idempotent', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fc.integer({ min: 3, max: 8 }), (units, scale) => {
        const raw = new D(units.toString()).dividedBy(new D(10).pow(scale));
        const rounded = Money.round(raw);
        return rounded.amount.minus(raw).abs().lte('0.005') && Money.round(rounded.amount).eq(rounded);
      }),
    );
  });

  it('sum of parts equals the part-wise sum in fen (no drift)', () => {
    fc.assert(
      fc.property(fc.array(moneyString, { maxLength: 50 }), (parts) => {
        const total = Money.sum(parts.map((p) => Money.parse(p)));
        const fen = parts.reduce((n, p) => n + Money.parse(p).toFen(), 0n);
        return total.toFen() === fen;
      }),
    );
  });
});

describe('Rate', () => {
  it('parses decimal fractions up to 8 decimals and shows the shortest exact form', () => {
    expect(Rate.parse('0.0435').toString()).toBe('0.0435');
    expect(Rate.parse('0.60').toFixed(2)).toBe('0.60');
    expect(Rate.percent('4.35').toString()).toBe('0.0435');
    expect(Rate.parse('0.0435').toPercentString()).toBe('4.35%');
  });

  it.each([[0.0435], ['0.123456789'], ['-0.01'], ['4.35%'], ['1e-2']])('refuses %j', (input) => {
    expect(checkDecimalString(input, RATE_RULES)).not.toBeNull();
  });

  it('round-trips any 8-decimal rate through its string form (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (units) => {
        const s = new D(units).dividedBy(1e8).toFixed();
        return Rate.parse(s).toString() === s;
      }),
    );
  });
});
