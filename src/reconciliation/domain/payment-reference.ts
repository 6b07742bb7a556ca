/**
 * The reference every payment instruction carries (RULES §8 "Reconciliation", 2026-12; R 第二十一条):
 * short and printable, so the custodian can key it into a bank's 附言/memo field and the bank
 * statement brings it back.
 *
 * Shape: `RF` + 7 characters of Crockford base32 (the instruction's serial number, up to
 * 32^7 − 1 = 34,359,738,367) + 1 check character: 10 characters, upper-case letters and digits
 * without I, L, O, U (never confused with 1 and 0 when read aloud or keyed). The check character
 * is Σ value(cᵢ) × (2i + 1) mod 32 over the 7 serial characters: odd weights modulo 32 catch
 * every single wrong character (value differences are 1…31, and an odd weight times such a
 * difference is never a multiple of 32), so a mistyped reference never matches another
 * instruction.
 *
 * Worked example: serial 1 → "000000" + "1" → weights 1,3,5,…,13 on the values 0,0,0,0,0,0,1 →
 * check 13 mod 32 = 13 = "D" → "RF0000001D".
 */
export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SERIAL_LENGTH = 7;
export const MAX_SERIAL = 32 ** SERIAL_LENGTH - 1;
const VALUE: ReadonlyMap<string, number> = new Map([...ALPHABET].map((c, i) => [c, i]));

function checkCharacter(serial: string): string {
  let sum = 0;
  for (let i = 0; i < serial.length; i++) sum += (VALUE.get(serial[i]) as number) * (2 * i + 1);
  return ALPHABET[sum % 32];
}

/** The reference of serial number `n` (1 ≤ n ≤ MAX_SERIAL). */
export function paymentReference(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SERIAL) throw new Error(`paymentReference: serial ${n} out of range`);
  let digits = '';
  for (let v = n; v > 0; v = Math.floor(v / 32)) digits = ALPHABET[v % 32] + digits;
  const serial = digits.padStart(SERIAL_LENGTH, '0');
  return `RF${serial}${checkCharacter(serial)}`;
}

/** The serial number a well-formed reference stands for (the inverse of paymentReference): "RF0000001D" → 1. */
export function serialOfReference(reference: string): number {
  if (!isPaymentReference(reference)) throw new Error(`serialOfReference: ${reference} is not a payment reference`);
  let n = 0;
  for (const c of reference.slice(2, 2 + SERIAL_LENGTH)) n = n * 32 + (VALUE.get(c) as number);
  return n;
}

/** Whether `text` is a well-formed reference with a correct check character. */
export function isPaymentReference(text: string): boolean {
  if (!/^RF[0-9A-HJKMNP-TV-Z]{8}$/.test(text)) return false;
  return checkCharacter(text.slice(2, 9)) === text[9];
}

const CANDIDATE = /RF[0-9A-HJKMNP-TV-Z]{8}/g;

/**
 * The valid references in a statement line's free text (reference, 附言, 摘要), upper-cased, in
 * order of appearance, each once. A bank that batches several payments into one line usually
 * lists their references in the memo ("RF0000001D RF0000002F"); a candidate whose check
 * character is wrong is ignored (it is a typo, not a reference).
 */
export function extractReferences(text: string): string[] {
  const found: string[] = [];
  for (const m of text.toUpperCase().matchAll(CANDIDATE)) {
    if (isPaymentReference(m[0]) && !found.includes(m[0])) found.push(m[0]);
  }
  return found;
}
