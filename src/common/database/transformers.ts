import { ValueTransformer } from 'typeorm';
import { Money } from '../money/money';
import { Rate } from '../money/rate';

/**
 * numeric(20,2) ↔ Money. `pg` returns numeric as a string, so no binary double ever holds an
 * amount between the database and decimal.js.
 */
export const moneyTransformer: ValueTransformer = {
  to: (value: Money | null | undefined) => (value == null ? value : value.toString()),
  from: (value: string | null) => (value == null ? value : Money.of(value)),
};

/** numeric(12,8) ↔ Rate. */
export const rateTransformer: ValueTransformer = {
  to: (value: Rate | null | undefined) => (value == null ? value : value.toFixed(Rate.DECIMALS)),
  from: (value: string | null) => (value == null ? value : Rate.of(value)),
};

/** Column options for an amount: `@Column(moneyColumn())`. */
export function moneyColumn(options: { nullable?: boolean; name?: string } = {}) {
  return { type: 'numeric' as const, precision: 20, scale: 2, transformer: moneyTransformer, ...options };
}

/** Column options for a rate or ratio. */
export function rateColumn(options: { nullable?: boolean; name?: string } = {}) {
  return { type: 'numeric' as const, precision: 12, scale: 8, transformer: rateTransformer, ...options };
}

/** Column options for a business date, kept as 'YYYY-MM-DD' (see pg-types.ts). */
export function dateColumn(name: string, nullable = false) {
  return { name, type: 'date' as const, nullable };
}
