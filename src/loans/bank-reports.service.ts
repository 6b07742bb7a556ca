import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { assertBankScope } from '../common/access/party-scope';
import type { Principal } from '../common/access/principal';
import { nextQuarter, parseQuarter, quarterFirstMonthDay, quarterLastDay } from '../common/calendar/quarter';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/ids';
import { Money } from '../common/money/money';
import { PartiesService } from '../programme/parties.service';
import { PolicyService } from '../programme/policy.service';
import { BankReport, BankReportRow } from './bank-report.entity';
import { KnownLoan, RawReportRow, ValidRows, validateReportRows } from './bank-report-rows';
import { Loan } from './loan.entity';
import { REPORT_ERRORS } from './loans.errors';

/** Rows per multi-row INSERT (unnest of arrays: 6 parameters whatever the row count). */
const INSERT_CHUNK = 10_000;
/** A progress line every this many rows. */
const PROGRESS_EVERY = 20_000;

export interface BankReportOut {
  id: string;
  bankCode: string;
  quarter: string;
  version: number;
  source: 'json' | 'csv';
  rows: number;
  receivedOn: string;
  dueOn: string;
  late: boolean;
  outstandingTotal: string;
  repaidTotal: string;
  supersedes: string | null;
  supersededBy: string | null;
  createdAt: string;
}

export interface SubmitReportInput {
  bankCode: string;
  quarter: string;
  rows: readonly RawReportRow[];
  source: 'json' | 'csv';
}

/** The dates of a report received today for `quarter`. */
interface ReportDates {
  quarterEnd: string;
  receivedOn: string;
  dueOn: string;
}

function reportOut(r: BankReport, supersedes: string | null): BankReportOut {
  return {
    id: r.id,
    bankCode: r.bankCode,
    quarter: r.quarter,
    version: r.version,
    source: r.source,
    rows: r.rowCount,
    receivedOn: r.receivedOn,
    dueOn: r.dueOn,
    late: r.late,
    outstandingTotal: r.outstandingTotal.toString(),
    repaidTotal: r.repaidTotal.toString(),
    supersedes,
    supersededBy: r.supersededBy,
    createdAt: r.createdAt.toISOString(),
  };
}

/**
 * Quarterly bank reports (issue #5 item 4; B 第十条): per loan the outstanding principal, the
 * principal repaid in the quarter and the asset quality. A report is validated as a whole in
 * memory, then written in one transaction with multi-row INSERTs (unnest of arrays), so one bad
 * row means nothing is applied. Re-sending a quarter adds a new version that supersedes the
 * previous one; the old rows stay.
 */
@Injectable()
export class BankReportsService {
  private readonly logger = new Logger('BankReports');

  constructor(
    private readonly tx: TransactionScope,
    private readonly parties: PartiesService,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
  ) {}

  /**
   * Validates and applies one report. `rows` carry their line numbers (CSV file lines, or JSON
   * 1-based positions). Late when received after the `bankReportDueDay` (10th) of the first month
   * of the next quarter.
   */
  async submit(input: SubmitReportInput, principal?: Principal): Promise<BankReportOut> {
    parseQuarter(input.quarter);
    assertBankScope(principal, input.bankCode);
    await this.parties.getBank(input.bankCode);
    const started = Date.now();
    const dates = this.reportDates(input.quarter);
    const valid = await this.validate(input, dates.quarterEnd, started);
    const id = await this.tx.run(async (m) => {
      // One writer per bank at a time: versions stay gapless and only one version is current.
      await this.parties.lockBanks([input.bankCode]);
      const reportId = await this.addVersion(m, input, dates, valid);
      await this.insertRows(m, reportId, valid, `${input.bankCode} ${input.quarter}`, started);
      return reportId;
    });
    this.logger.log(`report ${input.bankCode} ${input.quarter} applied: ${valid.loanIds.length} rows in ${Date.now() - started} ms`);
    return this.get(id);
  }

  /** The quarter's end, today and the due date; 422 REPORT.QUARTER_NOT_ENDED before the quarter is over. */
  private reportDates(quarter: string): ReportDates {
    const quarterEnd = quarterLastDay(quarter);
    const receivedOn = this.clock.today();
    if (receivedOn <= quarterEnd) {
      throw DomainError.rule(REPORT_ERRORS.QUARTER_NOT_ENDED, `Quarter ${quarter} ends on ${quarterEnd}; report it from the next day.`, [
        { code: REPORT_ERRORS.QUARTER_NOT_ENDED, field: 'quarter', message: `today is ${receivedOn}` },
      ]);
    }
    const policy = this.policy.versionFor(quarterEnd);
    return { quarterEnd, receivedOn, dueOn: quarterFirstMonthDay(nextQuarter(quarter), policy.bankReportDueDay) };
  }

  /** Every row checked against the bank's loans; 422 REPORT.INVALID_ROWS listing every problem. */
  private async validate(input: SubmitReportInput, quarterEnd: string, started: number): Promise<ValidRows> {
    const loans = await this.loadLoans(input.bankCode);
    const { problems, valid } = validateReportRows(input.rows, loans, quarterEnd);
    this.logger.log(`report ${input.bankCode} ${input.quarter}: ${input.rows.length} rows validated in ${Date.now() - started} ms`);
    if (problems.length) {
      const badLines = new Set(problems.map((p) => p.line)).size;
      throw DomainError.rule(REPORT_ERRORS.INVALID_ROWS, `${badLines} of ${input.rows.length} rows are invalid; nothing was applied.`, problems);
    }
    return valid;
  }

  /**
   * Stores the report as the next version of the bank's quarter and marks the current one (if any)
   * superseded by it. Needs the bank's lock (one writer per bank).
   */
  private async addVersion(m: EntityManager, input: SubmitReportInput, dates: ReportDates, valid: ValidRows): Promise<string> {
    const quarterOf = { bankCode: input.bankCode, quarter: input.quarter };
    const previous = await m.findOne(BankReport, { select: { id: true }, where: { ...quarterOf, supersededAt: IsNull() } });
    const maxVersion = await m.maximum(BankReport, 'version', quarterOf);
    // The previous version stops being current before the new one is inserted: the unique index
    // bank_reports_current allows one current version per bank and quarter.
    if (previous) await m.update(BankReport, { id: previous.id }, { supersededAt: () => 'now()' });
    const inserted = await m.insert(BankReport, {
      ...quarterOf,
      quarterEnd: dates.quarterEnd,
      version: (maxVersion ?? 0) + 1,
      source: input.source,
      receivedOn: dates.receivedOn,
      dueOn: dates.dueOn,
      late: dates.receivedOn > dates.dueOn,
      rowCount: valid.loanIds.length,
      outstandingTotal: valid.outstandingTotal,
      repaidTotal: valid.repaidTotal,
    });
    const id = (inserted.identifiers[0] as { id: string }).id;
    if (previous) await m.update(BankReport, { id: previous.id }, { supersededBy: id });
    return id;
  }

  /**
   * Writes the report's rows in chunks of INSERT_CHUNK, logging progress every PROGRESS_EVERY rows.
   *
   * Raw SQL on purpose: one `INSERT … SELECT FROM unnest(arrays)` per chunk sends 6 parameters
   * whatever the row count, which is what lets a 100,000-row report import at the rate the issue
   * asks for (≥ 20,000 rows/s; docs/benchmarks.md, "Bank report import (issue #5 item 4)"). An
   * entity insert would bind 6 parameters per row and hit PostgreSQL's 65,535-parameter limit at
   * about 10,000 rows per statement.
   */
  private async insertRows(m: EntityManager, reportId: string, valid: ValidRows, what: string, started: number): Promise<void> {
    const total = valid.loanIds.length;
    let nextProgress = PROGRESS_EVERY;
    for (let from = 0; from < total; from += INSERT_CHUNK) {
      const to = Math.min(total, from + INSERT_CHUNK);
      await m.query(
        `INSERT INTO bank_report_rows (report_id, loan_id, line, outstanding_principal, repaid, asset_quality)
         SELECT $1, * FROM unnest($2::uuid[], $3::int[], $4::numeric[], $5::numeric[], $6::text[])`,
        [
          reportId,
          valid.loanIds.slice(from, to),
          valid.lines.slice(from, to),
          valid.outstanding.slice(from, to),
          valid.repaid.slice(from, to),
          valid.quality.slice(from, to),
        ],
      );
      if (to >= nextProgress || to === total) {
        this.logger.log(`report ${what}: ${to}/${total} rows written (${Date.now() - started} ms)`);
        nextProgress += PROGRESS_EVERY;
      }
    }
  }

  /** The bank's loans by reference, with what validation needs. */
  private async loadLoans(bankCode: string): Promise<Map<string, KnownLoan>> {
    // Disbursed amounts come as integer fen (exact in PostgreSQL numeric, then bigint).
    const rows = await this.tx.manager
      .createQueryBuilder(Loan, 'l')
      .select('l.id', 'id')
      .addSelect('l.reference', 'reference')
      .addSelect('l.disbursed_on', 'disbursed_on')
      .addSelect('(l.disbursed_amount * 100)::bigint::text', 'disbursed_fen')
      .where('l.bank_code = :bankCode', { bankCode })
      .getRawMany<{ id: string; reference: string; disbursed_on: string | null; disbursed_fen: string | null }>();
    const map = new Map<string, KnownLoan>();
    for (const r of rows) {
      map.set(r.reference, { id: r.id, disbursedOn: r.disbursed_on, disbursedFen: r.disbursed_fen === null ? null : BigInt(r.disbursed_fen) });
    }
    return map;
  }

  /** One report version: a bank token only its own; an agency token none (a report lists every loan of the bank), as the list. */
  async get(id: string, principal?: Principal): Promise<BankReportOut> {
    const report = isUuid(id) ? await this.tx.manager.findOne(BankReport, { where: { id } }) : null;
    if (!report || (principal?.role === 'bank' && principal.partyCode !== report.bankCode) || principal?.role === 'agency') {
      throw DomainError.notFound(REPORT_ERRORS.NOT_FOUND, `No bank report with id ${id}.`);
    }
    return (await this.withSupersedes([report]))[0];
  }

  /** Every version of a bank's reports, newest quarter first, then newest version first. */
  async list(filter: { bankCode: string; quarter?: string }, principal?: Principal): Promise<{ items: BankReportOut[] }> {
    assertBankScope(principal, filter.bankCode);
    if (filter.quarter) parseQuarter(filter.quarter);
    const reports = await this.tx.manager.find(BankReport, {
      where: { bankCode: filter.bankCode, ...(filter.quarter ? { quarter: filter.quarter } : {}) },
      order: { quarter: 'DESC', version: 'DESC' },
    });
    return { items: await this.withSupersedes(reports) };
  }

  /** The reports as the API shows them, each with the version it superseded (if any). */
  private async withSupersedes(reports: BankReport[]): Promise<BankReportOut[]> {
    if (!reports.length) return [];
    const older = await this.tx.manager.find(BankReport, {
      select: { id: true, supersededBy: true },
      where: { supersededBy: In(reports.map((r) => r.id)) },
    });
    const supersedes = new Map(older.map((o) => [o.supersededBy as string, o.id]));
    return reports.map((r) => reportOut(r, supersedes.get(r.id) ?? null));
  }

  /** The rows of one report version (with its line numbers), in line order. */
  async rows(id: string, principal?: Principal) {
    await this.get(id, principal);
    const rows = await this.tx.manager
      .createQueryBuilder(BankReportRow, 'r')
      .innerJoin(Loan, 'l', 'l.id = r.loan_id')
      .select('l.reference', 'reference')
      .addSelect('r.line', 'line')
      .addSelect('r.outstanding_principal', 'outstanding_principal')
      .addSelect('r.repaid', 'repaid')
      .addSelect('r.asset_quality', 'asset_quality')
      .where('r.report_id = :id', { id })
      .orderBy('r.line')
      .getRawMany<{ reference: string; line: number; outstanding_principal: string; repaid: string; asset_quality: string }>();
    return {
      items: rows.map((r) => ({
        line: r.line,
        loanReference: r.reference,
        outstandingPrincipal: Money.of(r.outstanding_principal).toString(),
        repaid: Money.of(r.repaid).toString(),
        assetQuality: r.asset_quality,
      })),
    };
  }
}
