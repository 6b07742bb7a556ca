import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../common/access/principal';


/** An API token. Only its SHA-256 is stored; the token itself is shown once, when issued. */
@Entity('api_tokens')
export class ApiToken {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'token_sha256', type: 'char', length: 64, unique: true })
  tokenSha256!: string;

  @Column({ type: 'text' })
  role!: Role;

  /** The bank or agency code a party token acts for; null for programme-wide roles. */
  @Column({ name: 'party_code', type: 'text', nullable: true })
  partyCode!: string | null;

  @Column({ type: 'text', default: '' })
  label!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** Null: never (the bootstrap token, and tokens issued before expiry existed). */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** Stamped when a process looks the token up in the database: exact to the token cache's bound. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  /** The token that issued this one (null for the bootstrap token). */
  @Column({ name: 'issued_by', type: 'uuid', nullable: true })
  issuedBy!: string | null;
}
