/**
 * Amounts as integer fen (`bigint`), for exact arithmetic in hot loops without a Decimal per value
 * (the ledger's floor checks, the bank report import's validation of 100,000 rows).
 *
 * Only for text already known to be an amount with at most two decimals: PostgreSQL
 * `numeric(20,2)` as text, `Money.toString()`, or a string checked against MONEY_RULES. Money is
 * the type for everything else; `Money.toFen()` / `Money.fromFen()` convert between the two.
 */

/**
 * "1234.5" → 123450n, "-0.01" → -1n, "12" → 1200n. More than two decimals is a programmer error
 * (thrown): such a text is not an amount of money.
 */
export function fenOf(text: string): bigint {
  const dot = text.indexOf('.');
  if (dot < 0) return BigInt(text) * 100n;
  const fraction = text.slice(dot + 1);
  if (fraction.length > 2) throw new Error(`fenOf(${JSON.stringify(text)}): more than two decimals`);
  return BigInt(text.slice(0, dot) + fraction.padEnd(2, '0'));
}

/** 123450n → "1234.50", -1n → "-0.01": the two-decimal text PostgreSQL's numeric and Money use. */
export function fenText(fen: bigint): string {
  const digits = (fen < 0n ? -fen : fen).toString().padStart(3, '0');
  return `${fen < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
