import { AsyncLocalStorage } from 'node:async_hooks';
import { Global, Injectable, Module } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The unit of work: one database transaction shared by everything that runs inside it, without
 * passing it down by hand (docs/architecture.md "Transactions").
 *
 * `run(fn)` opens a transaction, or joins the one already open in this async context, so a service
 * method that needs a transaction works the same when it is called alone and when it is called
 * inside a larger one (an approval batch and the margin deductions it causes; later an HTTP write
 * and the idempotency record or audit row that must commit with it). The open transaction follows
 * the async call chain (AsyncLocalStorage), never another request's.
 *
 * Why not nestjs-cls with its transactional plugin: it needs a CLS context opened at every entry
 * point (HTTP, jobs, start-up hooks, tests that call services directly) and would sit on the
 * ledger's posting path, which uses the pg driver below TypeORM; this is AsyncLocalStorage plus
 * DataSource.transaction, which is all the service needs.
 */
@Injectable()
export class TransactionScope {
  private readonly open = new AsyncLocalStorage<EntityManager>();

  constructor(private readonly dataSource: DataSource) {}

  /** The transaction open in this async context, or null. */
  current(): EntityManager | null {
    const m = this.open.getStore();
    return m?.queryRunner?.isTransactionActive ? m : null;
  }

  /** For reads: the open transaction's manager when there is one, else the pool's. */
  get manager(): EntityManager {
    return this.current() ?? this.dataSource.manager;
  }

  /** Runs `fn` in the open transaction, or in a new one that commits when `fn` resolves. */
  async run<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const m = this.current();
    if (m) return fn(m);
    return this.dataSource.transaction((tx) => this.open.run(tx, () => fn(tx)));
  }

  /**
   * Runs `fn` in a new transaction even when one is open here (for work that must commit or fail
   * on its own, e.g. a record that a refused request was seen).
   */
  async runDetached<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.open.exit(() => this.dataSource.transaction((tx) => this.open.run(tx, () => fn(tx))));
  }

  /** Runs `fn` with `m` as the open transaction (for code that opened one by other means). */
  within<T>(m: EntityManager, fn: () => Promise<T>): Promise<T> {
    return this.open.run(m, fn);
  }
}

/** Makes the one TransactionScope of an application available to every module. */
@Global()
@Module({ providers: [TransactionScope], exports: [TransactionScope] })
export class TransactionScopeModule {}
