import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #16: two indexes of `ledger_entries` that no query of the service uses are dropped, so
 * every posted entry writes two index entries fewer (docs/benchmarks.md "Run 5"):
 *
 * - `ledger_entries_link (link_type, link_id)`: no read of the service looks entries up by their
 *   link (the domain tables keep the id of the entry they caused: a claim its approval entry, a
 *   funding its entry…). Its keys are the domain objects' ids — random UUIDs — so every insert
 *   touched a random leaf, and after each checkpoint that leaf's first change wrote a full page
 *   image: the same cost the random entry ids had before UUIDv7.
 * - `ledger_entries_book_date (book, effective_date)`: the entries of a book are listed in
 *   sequence order through the `(book, sequence)` key, with the dates as a filter; balances and
 *   statements as of a date read the lines' `(account_id, effective_date, sequence)` index.
 *
 * Nothing the ledger guarantees rests on either index (they are not unique). The unique ones —
 * `(book, sequence)`, the entry id, one reversal per entry, a line per `(entry_id, line_no)` slot —
 * stay. `down` re-creates both.
 *
 * (A fillfactor of 70 on the balance rows, for more HOT updates, was measured alongside and not
 * kept: 98.4% of their updates were HOT with it, 99.1% without.)
 */
export class LedgerLeanIndexes1733840000000 implements MigrationInterface {
  name = 'LedgerLeanIndexes1733840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ledger_entries_link`);
    await q.query(`DROP INDEX ledger_entries_book_date`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ledger_entries_book_date ON ledger_entries (book, effective_date)`);
    await q.query(`CREATE INDEX ledger_entries_link ON ledger_entries (link_type, link_id) WHERE link_type IS NOT NULL`);
  }
}
