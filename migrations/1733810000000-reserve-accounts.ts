import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 5, account moves (RULES §8 "Accounts may only be opened at partner banks; moving
 * an account transfers the whole balance and closes the old one", R 第九–十一条; docs/reserve-accounts.md).
 *
 * 1. The ledger gets closed accounts: `ledger_accounts.closed_on`. The balance-row trigger refuses
 *    any movement of a closed account (`LEDGER.ACCOUNT_CLOSED`), refuses to close an account whose
 *    balance is not zero (`LEDGER.ACCOUNT_NOT_EMPTY`) and never lets a closed account reopen or its
 *    closing date change (`LEDGER.ACCOUNT_IMMUTABLE`). Every posting updates the balance rows it
 *    touches under their row lock (fast and careful path alike), so the refusal holds in the same
 *    statement as the post: no posting that raced the close can slip into a closed account.
 *    As in migration 1733600000000 the trigger's WHEN clause is the exact refusal condition.
 * 2. `reserve_accounts` (owned by src/reserve): each bank's reserve accounts, with branch and
 *    account number, opening and closing dates, and the ledger account that books it. At most one
 *    open account per bank (partial unique index); a number is used once per bank.
 *
 * The application role's privileges come from grant_application_role at every start (migration
 * 1733110000000): reserve_accounts is not a journal (an account is closed by an UPDATE), so it gets
 * SELECT, INSERT, UPDATE like the other non-journal tables.
 */
export class ReserveAccounts1733810000000 implements MigrationInterface {
  name = 'ReserveAccounts1733810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_accounts ADD COLUMN closed_on date`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_account_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        old_balance numeric;
        new_balance numeric;
      BEGIN
        IF OLD.closed_on IS NOT NULL AND (NEW.debits <> OLD.debits OR NEW.credits <> OLD.credits) THEN
          RAISE EXCEPTION 'LEDGER.ACCOUNT_CLOSED: account % was closed on %; it accepts no posting', OLD.code, OLD.closed_on USING ERRCODE = 'P0001';
        END IF;
        IF NEW.id <> OLD.id OR NEW.book <> OLD.book OR NEW.code <> OLD.code OR NEW.type <> OLD.type
           OR NEW.normal_side <> OLD.normal_side OR NEW.floor IS DISTINCT FROM OLD.floor
           OR (OLD.closed_on IS NOT NULL AND NEW.closed_on IS DISTINCT FROM OLD.closed_on) THEN
          RAISE EXCEPTION 'LEDGER.ACCOUNT_IMMUTABLE: the definition of account % cannot change', OLD.code USING ERRCODE = 'P0001';
        END IF;
        IF NEW.closed_on IS NOT NULL AND OLD.closed_on IS NULL AND NEW.debits <> NEW.credits THEN
          RAISE EXCEPTION 'LEDGER.ACCOUNT_NOT_EMPTY: account % cannot be closed with a balance (debits %, credits %)', NEW.code, NEW.debits, NEW.credits
            USING ERRCODE = 'P0001';
        END IF;
        IF NEW.debits < OLD.debits OR NEW.credits < OLD.credits THEN
          RAISE EXCEPTION 'LEDGER.APPEND_ONLY: the totals of account % only grow', OLD.code USING ERRCODE = 'P0001';
        END IF;
        IF NEW.floor IS NOT NULL THEN
          IF NEW.normal_side = 'debit' THEN
            old_balance := OLD.debits - OLD.credits; new_balance := NEW.debits - NEW.credits;
          ELSE
            old_balance := OLD.credits - OLD.debits; new_balance := NEW.credits - NEW.debits;
          END IF;
          IF new_balance < old_balance AND new_balance < NEW.floor THEN
            RAISE EXCEPTION 'LEDGER.FLOOR_BREACH: account % would go to % (floor %)', NEW.code, new_balance, NEW.floor
              USING ERRCODE = 'P0001';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`DROP TRIGGER ledger_accounts_guard ON ledger_accounts`);
    await q.query(`
      CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE ON ledger_accounts FOR EACH ROW
        WHEN (NEW.id <> OLD.id OR NEW.book <> OLD.book OR NEW.code <> OLD.code OR NEW.type <> OLD.type
              OR NEW.normal_side <> OLD.normal_side OR NEW.floor IS DISTINCT FROM OLD.floor
              OR NEW.debits < OLD.debits OR NEW.credits < OLD.credits
              OR (OLD.closed_on IS NOT NULL AND (NEW.closed_on IS DISTINCT FROM OLD.closed_on OR NEW.debits <> OLD.debits OR NEW.credits <> OLD.credits))
              OR (OLD.closed_on IS NULL AND NEW.closed_on IS NOT NULL AND NEW.debits <> NEW.credits)
              OR (NEW.floor IS NOT NULL AND CASE WHEN NEW.normal_side = 'debit'
                    THEN NEW.debits - NEW.credits < OLD.debits - OLD.credits AND NEW.debits - NEW.credits < NEW.floor
                    ELSE NEW.credits - NEW.debits < OLD.credits - OLD.debits AND NEW.credits - NEW.debits < NEW.floor END))
        EXECUTE FUNCTION ledger_account_guard()`);

    await q.query(`
      CREATE TABLE reserve_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bank_code text NOT NULL REFERENCES banks(code),
        ordinal int NOT NULL CHECK (ordinal >= 1),
        account_code text NOT NULL UNIQUE,
        branch text,
        account_number text,
        opened_on date,
        closed_on date,
        status text NOT NULL CHECK (status IN ('open', 'closed')),
        moved_to uuid REFERENCES reserve_accounts(id),
        move_entry_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT reserve_accounts_bank_ordinal UNIQUE (bank_code, ordinal),
        CONSTRAINT reserve_accounts_bank_number UNIQUE (bank_code, account_number),
        CHECK ((status = 'closed') = (closed_on IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX reserve_accounts_one_open ON reserve_accounts (bank_code) WHERE status = 'open'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reserve_accounts`);
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
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_account_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        old_balance numeric;
        new_balance numeric;
      BEGIN
        IF NEW.id <> OLD.id OR NEW.book <> OLD.book OR NEW.code <> OLD.code OR NEW.type <> OLD.type
           OR NEW.normal_side <> OLD.normal_side OR NEW.floor IS DISTINCT FROM OLD.floor THEN
          RAISE EXCEPTION 'LEDGER.ACCOUNT_IMMUTABLE: the definition of account % cannot change', OLD.code USING ERRCODE = 'P0001';
        END IF;
        IF NEW.debits < OLD.debits OR NEW.credits < OLD.credits THEN
          RAISE EXCEPTION 'LEDGER.APPEND_ONLY: the totals of account % only grow', OLD.code USING ERRCODE = 'P0001';
        END IF;
        IF NEW.floor IS NOT NULL THEN
          IF NEW.normal_side = 'debit' THEN
            old_balance := OLD.debits - OLD.credits; new_balance := NEW.debits - NEW.credits;
          ELSE
            old_balance := OLD.credits - OLD.debits; new_balance := NEW.credits - NEW.debits;
          END IF;
          IF new_balance < old_balance AND new_balance < NEW.floor THEN
            RAISE EXCEPTION 'LEDGER.FLOOR_BREACH: account % would go to % (floor %)', NEW.code, new_balance, NEW.floor
              USING ERRCODE = 'P0001';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`ALTER TABLE ledger_accounts DROP COLUMN closed_on`);
  }
}
