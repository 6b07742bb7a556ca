import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One Idempotency-Key and the answer given to it (table `idempotency_keys`, owned by this module;
 * migrations 1732400000000-ledger and 1733100000000-idempotency-request-transaction).
 *
 * A key is scoped to the calling token, the method and the path. Since migration 1733100000000 a
 * row is inserted first in the request's own transaction and completed (status and body) in that
 * same transaction, so a committed row always holds the answer of a committed request
 * (`recordedInRequestTransaction` true). Rows written before it by the former two-step scheme
 * (`recordedInRequestTransaction` false) are still read: a `done` one is replayed as before, a
 * `pending` one belongs to a request that never finished and its outcome is unknown.
 */
@Entity('idempotency_keys')
export class IdempotencyKey {
  /** The calling token's id ("anonymous" without one). */
  @PrimaryColumn({ type: 'text' })
  scope!: string;

  @PrimaryColumn({ type: 'text' })
  method!: string;

  /** The path without the query string. */
  @PrimaryColumn({ type: 'text' })
  path!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  /** SHA-256 (hex) of the canonical JSON of the query and body (canonical-json.ts). */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash!: string;

  @Column({ type: 'text' })
  state!: 'pending' | 'done';

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  /** The JSON answered: a success's body, or the error body (API.md "Errors"). */
  @Column({ type: 'jsonb', nullable: true })
  response!: unknown;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'recorded_in_request_transaction', type: 'boolean', default: true })
  recordedInRequestTransaction!: boolean;
}
