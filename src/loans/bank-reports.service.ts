import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/access/principal';
import { nextQuarter, parseQuarter, quarterFirstMonthDay, quarterLastDay } from '../common/calendar/quarter';
import { Clock } from '../common/clock/clock';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { PartiesService } from '../programme/parties.service';
import { PolicyService } from '../programme/policy.service';
import { KnownLoan, RawReportRow, validateReportRows } from './bank-report-rows';
import { assertBankScope } from '../common/access/party-scope';

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

interface ReportRow {
  id: string;
  bank_code: string;
  quarter: string;
  version: number;
  source: 'json' | 'csv';
  row_count: number;
  received_on: string;
  due_on: string;
  late: boolean;
  outstanding_total: string;
  repaid_total: string;
  superseded_by: string | null;
  supersedes: string | null;
  created_at: Date;
}

function reportOut(r: ReportRow): BankReportOut {
  return {
    id: r.id,
    bankCode: r.bank_code,
    quarter: r.quarter,
    version: r.version,
    source: r.source,
    rows: r.row_count,
    receivedOn: r.received_on,
    dueOn: r.due_on,
    late: r.late,
    outstandingTotal: Money.of(r.outstanding_total).toString(),
    repaidTotal: Money.of(r.repaid_total).toString(),
    supersedes: r.supersedes,
    supersededBy: r.superseded_by,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

const REPORT_SELECT = `
  SELECT b.id, b.bank_code, b.quarter, b.version, b.source, b.row_count, b.received_on, b.due_on, b.late,
         b.outstanding_total::text AS outstanding_total, b.repaid_total::text AS repaid_total, b.superseded_by,
         (SELECT p.id FROM bank_reports p WHERE p.superseded_by = b.id) AS supersedes, b.created_at
    FROM bank_reports b`;

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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly parties: PartiesService,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
  ) {}

  /**
   * Validates and applies one report. `rows` carry their line numbers (CSV file lines, or JSON
   * 1-based positions). Late when received after the `bankReportDueDay` (10th) of the first month
   * of the next quarter.
   */
  async submit(
    input: { bankCode: string; quarter: string; rows: readonly RawReportRow[]; source: 'json' | 'csv' },
    principal?: Principal,
  ): Promise<BankReportOut> {
    parseQuarter(input.quarter);
    assertBankScope(principal, input.bankCode);
    await this.parties.getBank(input.bankCode);
    const started = Date.now();
    const quarterEnd = quarterLastDay(input.quarter);
    const receivedOn = this.clock.today();
    if (receivedOn <= quarterEnd) {
      throw DomainError.rule('REPORT.QUARTER_NOT_ENDED', `Quarter ${input.quarter} ends on ${quarterEnd}; report it from the next day.`, [
        { code: 'REPORT.QUARTER_NOT_ENDED', field: 'quarter', message: `today is ${receivedOn}` },
      ]);
    }
    const policy = this.policy.versionFor(quarterEnd);
    const dueOn = quarterFirstMonthDay(nextQuarter(input.quarter), policy.bankReportDueDay);

    const loans = await this.loadLoans(input.bankCode);
    const { problems, valid } = validateReportRows(input.rows, loans, quarterEnd);
    this.logger.log(`report ${input.bankCode} ${input.quarter}: ${input.rows.length} rows validated in ${Date.now() - started} ms`);
    if (problems.length) {
      const badLines = new Set(problems.map((p) => p.line)).size;
      throw DomainError.rule(
        'REPORT.INVALID_ROWS',
        `${badLines} of ${input.rows.length} rows are invalid; nothing was applied.`,
        problems,
      );
    }

    const result = await this.dataSource.transaction(async (m) => {
      // One writer per bank at a time: versions stay gapless and only one version is current.
      await m.query('SELECT code FROM banks WHERE code = $1 FOR UPDATE', [input.bankCode]);
      const previous: { id: string; version: number }[] = await m.query(
        `SELECT id, version FROM bank_reports WHERE bank_code = $1 AND quarter = $2 AND superseded_at IS NULL`,
        [input.bankCode, input.quarter],
      );
      const maxVersion: { v: number | null }[] = await m.query(
        `SELECT max(version) AS v FROM bank_reports WHERE bank_code = $1 AND quarter = $2`,
        [input.bankCode, input.quarter],
      );
      const id = randomUUID();
      if (previous.length) {
        await m.query(`UPDATE bank_reports SET superseded_at = now() WHERE id = $1`, [previous[0].id]);
      }
      await m.query(
        `INSERT INTO bank_reports (id, bank_code, quarter, quarter_end, version, source, received_on, due_on, late, row_count,
                                   outstanding_total, repaid_total)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          id,
          input.bankCode,
          input.quarter,
          quarterEnd,
          (maxVersion[0].v ?? 0) + 1,
          input.source,
          receivedOn,
          dueOn,
          receivedOn > dueOn,
          valid.loanIds.length,
          valid.outstandingTotal.toString(),
          valid.repaidTotal.toString(),
        ],
      );
      if (previous.length) {
        await m.query(`UPDATE bank_reports SET superseded_by = $1 WHERE id = $2`, [id, previous[0].id]);
      }
      const total = valid.loanIds.length;
      let nextProgress = PROGRESS_EVERY;
      for (let from = 0; from < total; from += INSERT_CHUNK) {
        const to = Math.min(total, from + INSERT_CHUNK);
        await m.query(
          `INSERT INTO bank_report_rows (report_id, loan_id, line, outstanding_principal, repaid, asset_quality)
           SELECT $1, * FROM unnest($2::uuid[], $3::int[], $4::numeric[], $5::numeric[], $6::text[])`,
          [
            id,
            valid.loanIds.slice(from, to),
            valid.lines.slice(from, to),
            valid.outstanding.slice(from, to),
            valid.repaid.slice(from, to),
            valid.quality.slice(from, to),
          ],
        );
        if (to >= nextProgress || to === total) {
          this.logger.log(`report ${input.bankCode} ${input.quarter}: ${to}/${total} rows written (${Date.now() - started} ms)`);
          nextProgress += PROGRESS_EVERY;
        }
      }
      return id;
    });
    this.logger.log(`report ${input.bankCode} ${input.quarter} applied: ${valid.loanIds.length} rows in ${Date.now() - started} ms`);
    return this.get(result);
  }

  private async loadLoans(bankCode: string): Promise<Map<string, KnownLoan>> {
    // Disbursed amounts come as integer fen (exact in PostgreSQL numeric, then bigint).
    const rows: { id: string; reference: string; disbursed_on: string | null; disbursed_fen: string | null }[] = await this.dataSource.query(
      `SELECT id, reference, disbursed_on, (disbursed_amount * 100)::bigint::text AS disbursed_fen FROM loans WHERE bank_code = $1`,
      [bankCode],
    );
    const map = new Map<string, KnownLoan>();
    for (const r of rows) {
      map.set(r.reference, { id: r.id, disbursedOn: r.disbursed_on, disbursedFen: r.disbursed_fen === null ? null : BigInt(r.disbursed_fen) });
    }
    return map;
  }

  async get(id: string, principal?: Principal): Promise<BankReportOut> {
    const rows: ReportRow[] = /^[0-9a-f-]{36}$/i.test(id) ? await this.dataSource.query(`${REPORT_SELECT} WHERE b.id = $1`, [id]) : [];
    if (!rows.length || (principal?.role === 'bank' && principal.partyCode !== rows[0].bank_code)) {
      throw DomainError.notFound('REPORT.NOT_FOUND', `No bank report with id ${id}.`);
    }
    return reportOut(rows[0]);
  }

  /** Every version of a bank's reports, newest quarter first, then newest version first. */
  async list(filter: { bankCode: string; quarter?: string }, principal?: Principal): Promise<{ items: BankReportOut[] }> {
    assertBankScope(principal, filter.bankCode);
    if (filter.quarter) parseQuarter(filter.quarter);
    const rows: ReportRow[] = await this.dataSource.query(
      `${REPORT_SELECT} WHERE b.bank_code = $1 AND ($2::text IS NULL OR b.quarter = $2) ORDER BY b.quarter DESC, b.version DESC`,
      [filter.bankCode, filter.quarter ?? null],
    );
    return { items: rows.map(reportOut) };
  }

  /** The rows of one report version (with its line numbers), in line order. */
  async rows(id: string, principal?: Principal) {
    await this.get(id, principal);
    const rows: { reference: string; line: number; outstanding_principal: string; repaid: string; asset_quality: string }[] =
      await this.dataSource.query(
        `SELECT l.reference, r.line, r.outstanding_principal::text AS outstanding_principal, r.repaid::text AS repaid, r.asset_quality
           FROM bank_report_rows r JOIN loans l ON l.id = r.loan_id WHERE r.report_id = $1 ORDER BY r.line`,
        [id],
      );
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
