import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Status reasons (RULES §6, revised 2026-12): a bank's or an agency's status is the strongest
 * reason in force (disqualified > suspended_focus > suspended_new > active), each reason with its
 * source (loss_rate, margin_shortfall, manual, disqualified), start and end. The status history
 * recorded so far (party_status_changes) becomes reasons: each non-active status from its date to
 * the next change; a suspension for a margin shortfall becomes a margin_shortfall reason, a
 * disqualification a disqualified one, any other a manual one. party_status_changes stays as the
 * history of the resulting status.
 */
export class PartyStatusReasons1732720000000 implements MigrationInterface {
  name = 'PartyStatusReasons1732720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE party_status_reasons (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_type text NOT NULL CHECK (party_type IN ('bank','agency')),
        party_code text NOT NULL,
        source text NOT NULL CHECK (source IN ('loss_rate','margin_shortfall','manual','disqualified')),
        status text NOT NULL CHECK (status IN ('suspended_new','suspended_focus','disqualified')),
        reason text NOT NULL,
        quarter text CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
        loss_rate numeric(12,8),
        started_on date NOT NULL,
        ended_on date,
        lift_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        lifted_at timestamptz,
        CHECK (ended_on IS NULL OR ended_on >= started_on)
      )`);
    await q.query(`CREATE INDEX party_status_reasons_party ON party_status_reasons (party_type, party_code, started_on)`);
    await q.query(`
      INSERT INTO party_status_reasons (party_type, party_code, source, status, reason, started_on, ended_on, lift_reason, lifted_at)
      SELECT party_type, party_code,
             CASE WHEN status = 'disqualified' THEN 'disqualified' WHEN reason = 'MARGIN.SHORTFALL' THEN 'margin_shortfall' ELSE 'manual' END,
             status, reason, since, next_since,
             CASE WHEN next_since IS NULL THEN NULL ELSE 'status changed on ' || next_since::text END,
             CASE WHEN next_since IS NULL THEN NULL ELSE now() END
        FROM (SELECT c.*, LEAD(since) OVER (PARTITION BY party_type, party_code ORDER BY since, id) AS next_since
                FROM party_status_changes c) h
       WHERE status <> 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE party_status_reasons`);
  }
}
