import { randomUUID } from 'node:crypto';
import { RawRequestError, RawResponse } from '../../support/raw-http';
import { sleep } from './processes';
import type { ServiceProcess } from './service';

/** What one request of the load got: an HTTP answer, or no answer (timeout, cut connection). */
export interface Outcome {
  kind: 'write' | 'account' | 'unkeyed' | 'read';
  key: string | null;
  /** The entry's memo, for writes (keyed: the key itself). */
  memo: string | null;
  /** The answer carried Idempotent-Replayed: true. */
  replayed: boolean;
  at: number;
  status: number | null;
  code: string | null;
  retryAfter: string | null;
  failure: string | null;
  ms: number;
}

/** A write whose result the client could not know: no answer, or a 5xx. */
export interface PendingWrite {
  path: string;
  key: string;
  body: unknown;
}

/**
 * A client that keeps writing and reading the ledger while the tests break things: journal
 * entries (`POST /v1/ledger/entries`) and new accounts (`POST /v1/ledger/accounts`), each with
 * its own Idempotency-Key whose text is also the entry's memo or the account's name, so the
 * database can be asked afterwards how many times each was applied; entries without a key (the
 * ledger's group-commit path, which a keyed write, posted in its request's transaction, never
 * takes), each with a memo of its own; and balance reads.
 */
export class LedgerLoad {
  readonly outcomes: Outcome[] = [];
  /** Every write sent, by key, with its body (to retry it with the same key). */
  readonly writes = new Map<string, PendingWrite>();
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly service: ServiceProcess,
    readonly book: string,
    private readonly options: { workers: number; pauseMs: number; timeoutMs: number } = { workers: 4, pauseMs: 5, timeoutMs: 10_000 },
  ) {}

  /** Opens the book with a floored deposit account and capital, and funds the deposit. */
  static async open(service: ServiceProcess, book = `ch${randomUUID().slice(0, 8)}`): Promise<LedgerLoad> {
    const must = async (res: Promise<RawResponse>, what: string) => {
      const r = await res;
      if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
    };
    await must(service.request('POST', '/v1/ledger/books', { body: { code: book, name: 'chaos book' } }), 'open book');
    await must(service.request('POST', '/v1/ledger/accounts', { body: { book, code: `${book}:deposit:BANK01`, name: 'Deposit', type: 'asset', floor: '0.00' } }), 'deposit account');
    await must(service.request('POST', '/v1/ledger/accounts', { body: { book, code: `${book}:capital`, name: 'Capital', type: 'equity' } }), 'capital account');
    return new LedgerLoad(service, book);
  }

  entryBody(key: string) {
    return {
      book: this.book,
      effectiveDate: '2025-01-10',
      memo: key,
      lines: [
        { account: `${this.book}:deposit:BANK01`, debit: '1.00' },
        { account: `${this.book}:capital`, credit: '1.00' },
      ],
    };
  }

  accountBody(key: string) {
    return { book: this.book, code: `${this.book}:receivable:${key}`, name: key, type: 'asset' };
  }

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.options.workers }, (_, i) => this.worker(i));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async worker(index: number): Promise<void> {
    let n = 0;
    while (this.running) {
      n += 1;
      const pick = (n + index) % 10;
      if (pick < 6) await this.write('write');
      else if (pick < 7) await this.write('account');
      else if (pick < 8) await this.unkeyedWrite();
      else await this.read();
      await sleep(this.options.pauseMs);
    }
  }

  /** Sends one write with a fresh key (or `key` again, for a retry). */
  async write(kind: 'write' | 'account', key = `K${randomUUID().replace(/-/g, '').slice(0, 20)}`): Promise<Outcome> {
    const path = kind === 'write' ? '/v1/ledger/entries' : '/v1/ledger/accounts';
    const body = kind === 'write' ? this.entryBody(key) : this.accountBody(key);
    this.writes.set(key, { path, key, body });
    return this.send(kind, path, body, key);
  }

  /** An entry without an Idempotency-Key (its memo starts with U): never retried, applied at most once. */
  async unkeyedWrite(): Promise<Outcome> {
    const memo = `U${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    return this.send('unkeyed', '/v1/ledger/entries', this.entryBody(memo), null, this.options.timeoutMs, memo);
  }

  async read(): Promise<Outcome> {
    return this.send('read', `/v1/ledger/accounts/${this.book}:deposit:BANK01/balance`, undefined, null);
  }

  private async send(kind: Outcome['kind'], path: string, body: unknown, key: string | null, timeoutMs = this.options.timeoutMs, memo = key): Promise<Outcome> {
    const at = Date.now();
    let outcome: Outcome;
    try {
      const res = await this.service.request(body === undefined ? 'GET' : 'POST', path, {
        body,
        headers: key ? { 'Idempotency-Key': key } : {},
        timeoutMs,
      });
      const json = res.json as { code?: string } | null;
      outcome = {
        kind,
        key,
        memo,
        replayed: res.headers['idempotent-replayed'] === 'true',
        at,
        status: res.status,
        code: res.status >= 400 ? (json?.code ?? null) : null,
        retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
        failure: null,
        ms: res.ms,
      };
    } catch (error) {
      outcome = { kind, key, memo, replayed: false, at, status: null, code: null, retryAfter: null, failure: error instanceof RawRequestError ? error.kind : String(error), ms: Date.now() - at };
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  /** Outcomes between two instants. */
  between(from: number, to: number): Outcome[] {
    return this.outcomes.filter((o) => o.at >= from && o.at <= to);
  }

  /** Writes without a clear answer: no answer at all, or 5xx. */
  unclearWrites(): PendingWrite[] {
    const last = new Map<string, Outcome>();
    for (const o of this.outcomes) if (o.key) last.set(o.key, o);
    return [...last.values()].filter((o) => o.status === null || o.status >= 500).map((o) => this.writes.get(o.key as string) as PendingWrite);
  }

  /**
   * Retries every unclear write with its own key until it gets an answer that is not a 5xx or a
   * 409 CONFLICT.RETRY (the database is back by then), concurrently, as a client would; returns
   * the final answers by key.
   */
  async retryUnclear(deadlineMs = 90_000): Promise<Map<string, Outcome>> {
    const answers = new Map<string, Outcome>();
    const deadline = Date.now() + deadlineMs;
    await Promise.all(
      this.unclearWrites().map(async (w) => {
        for (;;) {
          const kind = w.path.endsWith('entries') ? 'write' : 'account';
          // A duplicate waits on the key row while the first request's transaction is still open.
          const o = await this.send(kind, w.path, w.body, w.key, 45_000);
          if ((o.status !== null && o.status < 500 && o.code !== 'CONFLICT.RETRY') || Date.now() > deadline) {
            answers.set(w.key, o);
            return;
          }
          await sleep(500);
        }
      }),
    );
    return answers;
  }
}
