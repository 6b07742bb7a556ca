import ts from 'typescript';
import { productionSources } from './source-files';

/**
 * A write with an Idempotency-Key runs in one transaction opened by the interceptor, which stores
 * the answer in it before anything is sent (docs/reliability.md "Idempotency"). Two things would
 * break that silently, and are kept out here:
 *
 * 1. a write route that answers by itself (`@Res()` without `passthrough`): its answer would
 *    reach the client before the commit, and could not be stored;
 * 2. code that reaches the database beside the request transaction — the pool through an injected
 *    `DataSource`, or a repository injected with `@InjectRepository` — while one is open: its
 *    writes commit on their own, its reads miss what the request wrote, and on the embedded
 *    server (one transaction at a time) it waits for ever. Services reach tables through
 *    `TransactionScope` (`tx.run`, `tx.manager`). The files below may hold a DataSource or an
 *    injected repository, each for the reason given.
 */
const POOL_USERS: Record<string, string> = {
  'src/common/database/database.module.ts': 'opens and closes the pool',
  'src/common/database/transaction-scope.ts': 'opens the transactions',
  'src/health/health.controller.ts': '/health probes the database on a connection of its own',
  'src/jobs/heartbeat.ts': 'a scheduled job, never inside a request',
  'src/ledger/ledger-posting.service.ts': 'group commit on the pool only when no transaction is open (post/postMany join the open one)',
  'src/ledger/posting/pg-client.ts': "the ledger's own connections for autocommitted fast statements (GenericPlanPool), used by group commit only when no transaction is open",
  'src/ledger/ledger-export.service.ts': 'GET export: a REPEATABLE READ snapshot of its own',
  'src/ledger/ledger-audit.service.ts': 'GET verify: a REPEATABLE READ snapshot of its own (period close joins the open transaction)',
  'src/quarters/quarter-close.service.ts':
    'a quarter close runs each duty in a transaction of its own (runDetached: the run table, not the request, makes it exactly once) and records a failed duty outside the failed transaction',
  'src/common/database/read-replica.ts': 'reads only: the replica pool for GET reads routed there, and the primary for its WAL position (docs/scaling.md)',
  'src/auth/auth.service.ts': 'authenticate() runs before the router (the token is checked before the body); issue/revoke use the open transaction',
};

const WRITE_DECORATORS = new Set(['Post', 'Put', 'Patch', 'Delete']);

function decoratorName(d: ts.Decorator): string | null {
  const e = d.expression;
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression)) return e.expression.text;
  return null;
}

describe('idempotent writes run in the request transaction', () => {
  const sources = productionSources('src');

  it('no write route answers by itself (@Res() without passthrough)', () => {
    const offenders: string[] = [];
    for (const { path, source } of sources.filter((s) => s.path.endsWith('.controller.ts'))) {
      const visit = (node: ts.Node): void => {
        if (ts.isMethodDeclaration(node)) {
          const names = (ts.getDecorators(node) ?? []).map(decoratorName);
          if (names.some((n) => n !== null && WRITE_DECORATORS.has(n))) {
            for (const p of node.parameters) {
              for (const d of ts.getDecorators(p) ?? []) {
                if (decoratorName(d) === 'Res' && !/passthrough:\s*true/.test(d.getText())) offenders.push(`${path}: ${node.name.getText()}`);
              }
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(offenders).toEqual([]);
  });

  it('only the listed files reach the pool beside TransactionScope (an injected DataSource or @InjectRepository)', () => {
    const users = sources
      .filter(({ source }) => /\bInjectRepository\(|\breadonly\s+\w+\s*:\s*DataSource\b/.test(source.getFullText()))
      .map(({ path }) => path)
      .sort();
    expect(users).toEqual(Object.keys(POOL_USERS).sort());
  });
});
