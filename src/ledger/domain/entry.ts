import { DomainError, ErrorDetail } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { Side } from './accounts';
import { LEDGER_ERRORS } from './ledger.errors';

/** One line as a caller writes it: exactly one of debit or credit, a positive amount. */
export interface LineInput {
  account: string;
  debit?: Money | null;
  credit?: Money | null;
}

/** A checked line: its position (1-based), account code, side and positive amount. */
export interface EntryLine {
  lineNo: number;
  account: string;
  side: Side;
  amount: Money;
}

/** Most lines one entry may carry (line numbers are smallint; a real entry has a handful). */
export const MAX_LINES = 1000;

/**
 * Checks an entry's lines before anything is written (issue #4 item 3, "in code before
 * writing"): each line has exactly one side with a positive amount, there are at least two lines,
 * and debits equal credits. Every problem is listed; the error's code is the first problem's.
 *
 * Example: [{a, debit 100.00}, {b, credit 60.00}] → LEDGER.UNBALANCED, debits 100.00 ≠ credits 60.00.
 */
export function buildEntryLines(lines: readonly LineInput[]): EntryLine[] {
  const problems: ErrorDetail[] = [];
  const built: EntryLine[] = [];
  if (lines.length > MAX_LINES) {
    problems.push({ code: LEDGER_ERRORS.INVALID_ENTRY, field: 'lines', message: `at most ${MAX_LINES} lines per entry` });
  }
  lines.forEach((line, i) => {
    const field = `lines.${i}`;
    const hasDebit = line.debit != null;
    const hasCredit = line.credit != null;
    if (hasDebit && hasCredit) {
      problems.push({ code: LEDGER_ERRORS.LINE_BOTH_SIDES, field, message: 'a line is a debit or a credit, not both', account: line.account });
      return;
    }
    if (!hasDebit && !hasCredit) {
      problems.push({ code: LEDGER_ERRORS.LINE_NO_SIDE, field, message: 'a line needs a debit or a credit', account: line.account });
      return;
    }
    const side: Side = hasDebit ? 'debit' : 'credit';
    const amount = (hasDebit ? line.debit : line.credit) as Money;
    if (amount.isZero()) {
      problems.push({ code: LEDGER_ERRORS.ZERO_LINE, field, message: 'a line amount must be more than 0.00', account: line.account });
      return;
    }
    if (amount.isNegative()) {
      problems.push({ code: LEDGER_ERRORS.NEGATIVE_LINE, field, message: 'a line amount must be positive', account: line.account });
      return;
    }
    built.push({ lineNo: i + 1, account: line.account, side, amount });
  });
  if (lines.length < 2) {
    problems.push({ code: LEDGER_ERRORS.TOO_FEW_LINES, field: 'lines', message: 'an entry needs at least two lines' });
  }
  if (problems.length === 0) {
    const { debits, credits } = totals(built);
    if (!debits.eq(credits)) {
      problems.push({
        code: LEDGER_ERRORS.UNBALANCED,
        field: 'lines',
        message: `debits ${debits.toString()} ≠ credits ${credits.toString()}`,
        debits: debits.toString(),
        credits: credits.toString(),
        difference: debits.minus(credits).toString(),
      });
    }
  }
  if (problems.length) {
    const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    const code = problems[0].code === LEDGER_ERRORS.INVALID_ENTRY ? LEDGER_ERRORS.INVALID_ENTRY : problems[0].code;
    throw DomainError.rule(code, `The entry cannot be posted: ${summary}.`, problems);
  }
  return built;
}

export function totals(lines: readonly EntryLine[]): { debits: Money; credits: Money } {
  return {
    debits: Money.sum(lines.filter((l) => l.side === 'debit').map((l) => l.amount)),
    credits: Money.sum(lines.filter((l) => l.side === 'credit').map((l) => l.amount)),
  };
}

/** The lines of the entry that undoes `lines`: same accounts and amounts, sides swapped. */
export function mirrorLines(lines: readonly EntryLine[]): EntryLine[] {
  return lines.map((l) => ({ ...l, side: l.side === 'debit' ? 'credit' : 'debit' }));
}

/** True when `candidate` carries exactly the same (account, side, amount) lines as `expected`, in any order. */
export function sameLines(candidate: readonly EntryLine[], expected: readonly EntryLine[]): boolean {
  const key = (l: EntryLine) => `${l.account}\u0000${l.side}\u0000${l.amount.toString()}`;
  const a = candidate.map(key).sort();
  const b = expected.map(key).sort();
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/**
 * The balance of an account on its normal side: debits − credits for a debit-normal account,
 * credits − debits for a credit-normal one.
 */
export function balanceOnNormalSide(normalSide: Side, debits: Money, credits: Money): Money {
  return normalSide === 'debit' ? debits.minus(credits) : credits.minus(debits);
}

/** How a line moves its account's normal-side balance: + on the normal side, − on the other. */
export function signedDelta(normalSide: Side, line: { side: Side; amount: Money }): Money {
  return line.side === normalSide ? line.amount : line.amount.negated();
}

/**
 * The floor rule: a movement that lowers the balance may not leave it below the floor; a movement
 * that raises it is always allowed (so an account opened with a floor above zero can be funded).
 */
export function breachesFloor(before: Money, after: Money, floor: Money | null): boolean {
  return floor !== null && after.lt(before) && after.lt(floor);
}
