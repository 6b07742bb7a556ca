import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #16: the two row-level guards on the posting path enter PL/pgSQL only to refuse.
 *
 * Every posting statement updates its balance rows and its book head, and each of those rows ran a
 * PL/pgSQL trigger function: `ledger_account_guard` for every floored balance row (the reserve
 * deposits: the hottest rows), `ledger_book_guard` for every head. The triggers now carry the
 * exact refusal condition as their `WHEN` clause — evaluated by the executor on the row, without
 * a function call — so the functions run only when they raise. What they guarantee is unchanged
 * (docs/ledger.md, the invariants table): account definitions never change, totals only grow, a
 * movement that lowers a floored balance never ends below the floor; a head's code never changes,
 * its sequence never goes back, a closed period never reopens. The functions keep their own
 * checks, so they raise the same errors with the same messages.
 *
 * Existing rows are untouched; only the triggers are re-created.
 */
export class LedgerGuardConditions1733600000000 implements MigrationInterface {
  name = 'LedgerGuardConditions1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER ledger_accounts_guard ON ledger_accounts`);
    await q.query(`
      CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE ON ledger_accounts FOR EACH ROW
        WHEN (NEW.id <> OLD.id OR NEW.book <> OLD.book OR NEW.code <> OLD.code OR NEW.type <> OLD.type
              OR NEW.normal_side <> OLD.normal_side OR NEW.floor IS DISTINCT FROM OLD.floor
              OR NEW.debits < OLD.debits OR NEW.credits < OLD.credits
              OR (NEW.floor IS NOT NULL AND CASE WHEN NEW.normal_side = 'debit'
                    THEN NEW.debits - NEW.credits < OLD.debits - OLD.credits AND NEW.debits - NEW.credits < NEW.floor
                    ELSE NEW.credits - NEW.debits < OLD.credits - OLD.debits AND NEW.credits - NEW.debits < NEW.floor END))
        EXECUTE FUNCTION ledger_account_guard()`);
    await q.query(`DROP TRIGGER ledger_books_guard ON ledger_books`);
    await q.query(`
      CREATE TRIGGER ledger_books_guard BEFORE UPDATE ON ledger_books FOR EACH ROW
        WHEN (NEW.code <> OLD.code OR NEW.last_sequence < OLD.last_sequence
              OR (OLD.closed_through IS NOT NULL AND (NEW.closed_through IS NULL OR NEW.closed_through < OLD.closed_through)))
        EXECUTE FUNCTION ledger_book_guard()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER ledger_books_guard ON ledger_books`);
    await q.query(`CREATE TRIGGER ledger_books_guard BEFORE UPDATE ON ledger_books FOR EACH ROW EXECUTE FUNCTION ledger_book_guard()`);
    await q.query(`DROP TRIGGER ledger_accounts_guard ON ledger_accounts`);
    await q.query(`
      CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE ON ledger_accounts FOR EACH ROW
        WHEN (NEW.floor IS NOT NULL OR OLD.floor IS NOT NULL OR NEW.id <> OLD.id OR NEW.book <> OLD.book OR NEW.code <> OLD.code
              OR NEW.type <> OLD.type OR NEW.normal_side <> OLD.normal_side OR NEW.debits < OLD.debits OR NEW.credits < OLD.credits)
        EXECUTE FUNCTION ledger_account_guard()`);
  }
}
