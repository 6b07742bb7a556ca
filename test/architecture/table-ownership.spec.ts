import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSource, productionSources, ROOT } from './source-files';
import { createdTables, sqlNames, tableReferences } from './sql-references';
import { TABLE_OWNERS } from './table-owners';

/**
 * One owner per table (issue 9 item 3; docs/architecture.md, "Modules and who owns what"): a table
 * is named in SQL, mapped by an entity or given to a query builder only inside its owner's folder.
 * No database: the source is parsed with the TypeScript compiler.
 */

const TABLES = new Set(productionSources('migrations').flatMap((f) => createdTables(f.source)));

function refs(code: string, tables: Iterable<string> = TABLES) {
  return tableReferences(parseSource('example.ts', code), new Set(tables));
}

describe('the SQL extractor', () => {
  it('finds a table after FROM in a string', () => {
    expect(refs(`const q = 'SELECT 1 FROM ledger_lines WHERE id = $1';`)).toEqual([
      { table: 'ledger_lines', line: 1, kind: 'sql' },
    ]);
  });

  it('finds JOIN, INTO, UPDATE, TABLE and FOR UPDATE OF in a template, on the right lines', () => {
    const code = [
      'async function f(m: { query(s: string): void }, id: string) {',
      '  m.query(`SELECT l.amount',
      '             FROM ledger_lines l',
      '             JOIN ledger_accounts a ON a.id = l.account_id',
      '            WHERE l.entry_id = ${id}',
      '              FOR UPDATE OF ledger_accounts`);',
      "  m.query('INSERT INTO claims (id) VALUES ($1)');",
      "  m.query('UPDATE loans SET status = $1');",
      "  m.query('LOCK TABLE agencies IN SHARE MODE');",
      '}',
    ].join('\n');
    expect(refs(code)).toEqual([
      { table: 'ledger_lines', line: 3, kind: 'sql' },
      { table: 'ledger_accounts', line: 4, kind: 'sql' },
      { table: 'ledger_accounts', line: 6, kind: 'sql' },
      { table: 'claims', line: 7, kind: 'sql' },
      { table: 'loans', line: 8, kind: 'sql' },
      { table: 'agencies', line: 9, kind: 'sql' },
    ]);
  });

  it('reads every name of a FROM list and of FOR UPDATE OF, quoted or schema-qualified', () => {
    expect(
      sqlNames(
        'SELECT 1 FROM loans l, public.claims AS c, "banks" FOR UPDATE OF agencies, borrowers',
      ).map((n) => n.name),
    ).toEqual(['loans', 'claims', 'banks', 'agencies', 'borrowers']);
  });

  it('reads a lower-case statement, but not lower-case keywords in English', () => {
    expect(refs(`const q = 'select * from loans where id = $1';`)).toEqual([
      { table: 'loans', line: 1, kind: 'sql' },
    ]);
    expect(refs(`const m = 'Margin shortfall made good from agencies deposit';`)).toEqual([]);
    expect(refs(`const m = 'With the loans from banks';`)).toEqual([]);
  });

  it('ignores table names in messages, routes and comments', () => {
    const code = [
      "throw new Error('No loans found');",
      "const path = '/v1/claims';",
      'const url = `/v1/loans/${1}/claims`;',
      '// SELECT * FROM ledger_lines',
      "const code = 'CLAIM.NOT_FOUND_IN_LOANS';",
    ].join('\n');
    expect(refs(code)).toEqual([]);
  });

  it('finds an @Entity table, named or by its class name', () => {
    const code = [
      "@Entity('ledger_lines')",
      'export class LedgerLine {}',
      "@Entity({ name: 'claims' })",
      'export class Claim {}',
      '@Entity()',
      'export class PolicyVersion {}',
    ].join('\n');
    expect(refs(code, [...TABLES, 'policy_version'])).toEqual([
      { table: 'ledger_lines', line: 1, kind: 'entity' },
      { table: 'claims', line: 3, kind: 'entity' },
      { table: 'policy_version', line: 5, kind: 'entity' },
    ]);
  });

  it('finds a table name given to a query builder', () => {
    expect(refs(`qb.select('x').from('ledger_lines', 'l').where('l.id = 1');`)).toEqual([
      { table: 'ledger_lines', line: 1, kind: 'query-builder' },
    ]);
  });

  it('reads the tables the migrations create', () => {
    const migration = parseSource(
      'm.ts',
      "q.query(`\n  CREATE TABLE IF NOT EXISTS foo_bars (id int)`); q.query('CREATE UNIQUE INDEX x ON foo_bars (id)');",
    );
    expect(createdTables(migration)).toEqual(['foo_bars']);
    expect(TABLES.size).toBeGreaterThan(20);
  });
});

describe('table ownership', () => {
  it('every table a migration creates has an owner, and every owner entry is a created table', () => {
    const owned = new Set(Object.keys(TABLE_OWNERS));
    expect({
      withoutOwner: [...TABLES].filter((t) => !owned.has(t)).sort(),
      notCreatedByAnyMigration: [...owned].filter((t) => !TABLES.has(t)).sort(),
    }).toEqual({ withoutOwner: [], notCreatedByAnyMigration: [] });
  });

  it('every owner is a folder under src with a reason', () => {
    const bad = Object.entries(TABLE_OWNERS)
      .filter(
        ([, o]) =>
          !/^src\/[a-z-]+(\/[a-z-]+)*$/.test(o.owner) ||
          !isDirectory(o.owner) ||
          o.reason.trim() === '',
      )
      .map(([table, o]) => `${table} → ${o.owner}`);
    expect(bad).toEqual([]);
  });

  it('names each table in SQL and entities only inside its owning module', () => {
    const outside = productionSources('src').flatMap((file) =>
      tableReferences(file.source, TABLES)
        .filter(
          (r) => TABLE_OWNERS[r.table] && !file.path.startsWith(`${TABLE_OWNERS[r.table].owner}/`),
        )
        .map(
          (r) =>
            `${file.path}:${r.line} → ${r.table} → ${TABLE_OWNERS[r.table].owner}${r.kind === 'sql' ? '' : ` (${r.kind})`}`,
        ),
    );
    expect(outside).toEqual([]);
  });
});

function isDirectory(path: string): boolean {
  const full = join(ROOT, path);
  return existsSync(full) && statSync(full).isDirectory();
}
