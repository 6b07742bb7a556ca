import { D, ROUND_HALF_UP } from './decimal';
import { MONEY_RULES, SIGNED_MONEY_RULES, parseDecimalString } from './money-parse';
import type { Rate } from './rate';

/**
 * An amount of CNY, always held to the fen (2 decimals).
 *
 * RULES.md §4 "Decision (money)": amounts are rounded half-up to the fen at every amount shown to
 * a user, and a later step uses the shown, rounded amount. So a Money is always already rounded;
 * products with rates give an unrounded Decimal (`timesRate`) that the caller rounds explicitly
 * with `Money.round` where the rule shows it.
 */
export class Money {
  static readonly ZERO = new Money(new D(0));
  static readonly MAX_INTEGER_DIGITS = 15;

  private constructor(readonly amount: D) {}

  /** Rounds half-up to the fen. */
  static round(value: D | string | number): Money {
    return new Money(new D(value).toDecimalPlaces(2, ROUND_HALF_UP));
  }

  /** Exact conversion; throws when the value has more than 2 decimals (a programmer error). */
  static of(value: D | string | number): Money {
    const d = new D(value);
    if (d.decimalPlaces() > 2) throw new Error(`Money.of(${d.toString()}): more than 2 decimals; use Money.round`);
    return new Money(d);
  }

  /** Strict parse of an API money string (non-negative). */
  static parse(value: unknown): Money {
    return new Money(parseDecimalString(value, MONEY_RULES));
  }

  /** Strict parse of an API money string that may be negative. */
  static parseSigned(value: unknown): Money {
    return new Money(parseDecimalString(value, SIGNED_MONEY_RULES));
  }

  plus(other: Money): Money {
    return new Money(this.amount.plus(other.amount));
  }

  minus(other: Money): Money {
    return new Money(this.amount.minus(other.amount));
  }

  /** Unrounded product: callers round where RULES.md says an amount is shown. */
  times(factor: D | Rate | number | string): D {
    return this.amount.times(factor instanceof D ? factor : typeof factor === 'object' ? factor.value : new D(factor));
  }

  /** Product rounded half-up to the fen. */
  timesRounded(factor: D | Rate | number | string): Money {
    return Money.round(this.times(factor));
  }

  /** Unrounded quotient (a ratio), e.g. a loss rate. */
  dividedBy(other: Money | D): D {
    return this.amount.dividedBy(other instanceof Money ? other.amount : other);
  }

  negated(): Money {
    return new Money(this.amount.negated());
  }

  abs(): Money {
    return new Money(this.amount.abs());
  }

  min(other: Money): Money {
    return this.lte(other) ? this : other;
  }

  max(other: Money): Money {
    return this.gte(other) ? this : other;
  }

  isZero(): boolean {
    return this.amount.isZero();
  }
  isPositive(): boolean {
    return this.amount.greaterThan(0);
  }
  isNegative(): boolean {
    return this.amount.lessThan(0);
  }
  eq(other: Money): boolean {
    return this.amount.equals(other.amount);
  }
  lt(other: Money): boolean {
    return this.amount.lessThan(other.amount);
  }
  lte(other: Money): boolean {
    return this.amount.lessThanOrEqualTo(other.amount);
  }
  gt(other: Money): boolean {
    return this.amount.greaterThan(other.amount);
  }
  gte(other: Money): boolean {
    return this.amount.greaterThanOrEqualTo(other.amount);
  }
  compare(other: Money): number {
    return this.amount.comparedTo(other.amount);
  }

  /** Integer fen, for exact integer algorithms such as largest-remainder splits. */
  toFen(): bigint {
    return BigInt(this.amount.times(100).toFixed(0));
  }

  static fromFen(fen: bigint): Money {
    return new Money(new D(fen.toString()).dividedBy(100));
  }

  /** The API form: exactly two decimals, "1825230.00". */
  toString(): string {
    return this.amount.toFixed(2);
  }

  toJSON(): string {
    return this.toString();
  }

  static sum(items: Iterable<Money>): Money {
    let total = new D(0);
    for (const m of items) total = total.plus(m.amount);
    return new Money(total);
  }
}
