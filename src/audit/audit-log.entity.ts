import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row of the audit trail (migration 1733430000000): append-only, hash-chained. Inserted
 * unsealed by the request's transaction; the sealer gives it `seq`, `prevHash` and `hash` after
 * commit (migration 1733910000000, docs/audit.md "Sealed after commit").
 */
@Entity('audit_log')
export class AuditLogEntry {
  /** Time-ordered key (an identity): the order in which a seal batch chains its rows. */
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  /** Position in the chain; null until sealed. bigint, read as a string by pg (no precision loss). */
  @Column({ type: 'bigint', nullable: true })
  seq!: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'actor_token_id', type: 'uuid', nullable: true })
  actorTokenId!: string | null;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole!: string | null;

  @Column({ name: 'actor_party', type: 'text', nullable: true })
  actorParty!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'target_ids', type: 'text', array: true })
  targetIds!: string[];

  @Column({ type: 'integer' })
  status!: number;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ name: 'prev_hash', type: 'char', length: 64, nullable: true })
  prevHash!: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  hash!: string | null;
}

/** A row the reading side sees: sealed (verify, list and export read only these). */
export type SealedAuditLogEntry = AuditLogEntry & { seq: string; prevHash: string; hash: string };

/** The head of the chain: the last sequence number and hash (one row, id 1). */
@Entity('audit_log_head')
export class AuditLogHead {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'last_seq', type: 'bigint' })
  lastSeq!: string;

  @Column({ name: 'last_hash', type: 'char', length: 64 })
  lastHash!: string;
}
