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
}
