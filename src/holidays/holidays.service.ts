import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { calendarCoverage, useLoadedHolidayYears, validateHolidayOverrides, type HolidayOverrideYear } from '../common/calendar/working-days';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { calendarWarnings } from './domain/calendar-warnings';
import { HolidayCalendar } from './holiday-calendar.entity';
import { HOLIDAY_ERRORS } from './holidays.errors';

export interface HolidayYearInput {
  source: string;
  holidays: string[];
  workdays: string[];
}

const out = (r: HolidayCalendar) => ({ year: r.year, source: r.source, holidays: r.holidays, workdays: r.workdays, loadedOn: r.loadedOn, loadedBy: r.loadedBy, loadedAt: r.loadedAt.toISOString() });

/**
 * PRC holiday schedules loaded by the trustee (RULES §9), stored and dated (holiday_calendars:
 * what, from which notice, when and by whom; a reload keeps the earlier one as superseded). At
 * start-up the stored years are applied to the service's calendar, and the log warns when the
 * current or next year runs on the statutory fallback; `/health` shows the same warnings. A
 * loaded year comes before data/holiday-overrides.json and the chinese-days package for that
 * year (the trustee's latest word). Deadlines already computed and stored are not recomputed.
 */
@Injectable()
export class HolidaysService implements OnModuleInit {
  private readonly logger = new Logger('Calendar');

  constructor(
    private readonly tx: TransactionScope,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.apply();
    for (const w of this.warnings()) this.logger.warn(w);
  }

  /** Applies every current stored year to the calendar. */
  private async apply(): Promise<void> {
    const rows = await this.tx.manager.find(HolidayCalendar, { where: { supersededAt: IsNull() } });
    const years: Record<string, HolidayOverrideYear> = {};
    for (const r of rows) years[String(r.year)] = { holidays: r.holidays, workdays: r.workdays, source: r.source, loadedOn: r.loadedOn };
    useLoadedHolidayYears(years);
  }

  warnings(): string[] {
    return calendarWarnings(this.clock.today(), calendarCoverage);
  }

  /** The coverage of the current and next year, and the warnings (for /health and GET /v1/calendar). */
  status() {
    const year = Number(this.clock.today().slice(0, 4));
    return { years: [year, year + 1].map(calendarCoverage), warnings: this.warnings() };
  }

  /** Loads (or reloads) one year's schedule: validated whole, stored, dated, then applied. */
  async load(year: number, input: HolidayYearInput, loadedBy: string | null) {
    try {
      validateHolidayOverrides({ years: { [String(year)]: { holidays: input.holidays, workdays: input.workdays, source: input.source } } });
    } catch (e) {
      const message = (e as Error).message;
      throw DomainError.invalid(HOLIDAY_ERRORS.INVALID, message, [{ code: HOLIDAY_ERRORS.INVALID, field: 'holidays', message }]);
    }
    const saved = await this.tx.run(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`holiday-year:${year}`]);
      await m.update(HolidayCalendar, { year, supersededAt: IsNull() }, { supersededAt: new Date() });
      const row = m.create(HolidayCalendar, { year, source: input.source, holidays: [...new Set(input.holidays)].sort(), workdays: [...new Set(input.workdays)].sort(), loadedOn: this.clock.today(), loadedBy });
      return m.save(row);
    });
    await this.apply();
    // Inside the request's transaction (Idempotency-Key) what was just read is not committed yet: read it again once that transaction has ended.
    await this.tx.whenSettled(() => this.apply());
    this.logger.log(`holiday schedule for ${year} loaded (${input.source})`);
    return { ...out(await this.tx.manager.findOneOrFail(HolidayCalendar, { where: { id: saved.id } })), coverage: calendarCoverage(year) };
  }

  async year(year: number) {
    const current = await this.tx.manager.findOne(HolidayCalendar, { where: { year, supersededAt: IsNull() } });
    const history = await this.tx.manager.find(HolidayCalendar, { where: { year }, order: { loadedAt: 'ASC' } });
    return { coverage: calendarCoverage(year), loaded: current ? out(current) : null, loads: history.length };
  }
}
