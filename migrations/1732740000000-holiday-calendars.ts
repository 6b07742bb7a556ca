import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PRC holiday schedules loaded by the trustee (RULES §9): one year's official days off and
 * adjusted working weekends, with the notice they come from and when and by whom they were
 * loaded. Loading a year again keeps the earlier load (superseded_at set); the current one of a
 * year is the one not superseded.
 */
export class HolidayCalendars1732740000000 implements MigrationInterface {
  name = 'HolidayCalendars1732740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE holiday_calendars (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        year integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
        source text NOT NULL,
        holidays jsonb NOT NULL,
        workdays jsonb NOT NULL,
        loaded_on date NOT NULL,
        loaded_by text,
        loaded_at timestamptz NOT NULL DEFAULT now(),
        superseded_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX holiday_calendars_current ON holiday_calendars (year) WHERE superseded_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE holiday_calendars`);
  }
}
