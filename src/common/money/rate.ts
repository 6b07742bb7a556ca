import { D } from './decimal';
import { RATE_RULES, parseDecimalString } from './money-parse';

/**
 * A rate or ratio as a decimal fraction ("0.0435" = 4.35%), kept to at least 6 decimals
 * (RULES.md §4: "Rates carry at least 6 decimals"); stored as numeric(12,8).
 */
export class Rate {
  static readonly DECIMALS = 8;

  private constructor(readonly value: D) {}

  static of(value: D | string | number): Rate {
    return new Rate(new D(value));
  }

  /** Strict parse of an API rate string: non-negative, at most 8 decimals. */
  static parse(value: unknown): Rate {
    return new Rate(parseDecimalString(value, RATE_RULES));
  }

  /** Percentage points, e.g. Rate.percent('4.35') = 0.0435. */
  static percent(value: D | string | number): Rate {
    return new Rate(new D(value).dividedBy(100));
  }

  plus(other: Rate): Rate {
    return new Rate(this.value.plus(other.value));
  }
  minus(other: Rate): Rate {
    return new Rate(this.value.minus(other.value));
  }
  times(factor: D | number | string): Rate {
    return new Rate(this.value.times(factor));
  }
  min(other: Rate): Rate {
    return this.value.lessThanOrEqualTo(other.value) ? this : other;
  }
  eq(other: Rate): boolean {
    return this.value.equals(other.value);
  }
  lt(other: Rate): boolean {
    return this.value.lessThan(other.value);
  }
  lte(other: Rate): boolean {
    return this.value.lessThanOrEqualTo(other.value);
  }
  gt(other: Rate): boolean {
    return this.value.greaterThan(other.value);
  }
  gte(other: Rate): boolean {
    return this.value.greaterThanOrEqualTo(other.value);
  }

  /**
   * Shortest exact decimal form ("0.6", "0.0435"); rates are exact decimals, so no rounding.
   * Use `toFixed(n)` where a fixed number of places is shown (e.g. ratios as "0.60").
   */
  toString(): string {
    return this.value.toFixed();
  }

  toFixed(decimals: number): string {
    return this.value.toFixed(decimals);
  }

  /** "4.35%" for breakdowns. */
  toPercentString(): string {
    return `${this.value.times(100).toFixed()}%`;
  }

  toJSON(): string {
    return this.toString();
  }
}
