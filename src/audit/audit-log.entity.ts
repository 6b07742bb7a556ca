import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row of the audit trail (migration 1733430000000): append-only, hash-chained. */
@Entity('audit_log')
export class AuditLogEntry {
  /** bigint; read as a string by pg, kept as one here (no precision loss). */
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

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

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}

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
