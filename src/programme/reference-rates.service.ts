import { readFileSync } from 'node:fs';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { TransactionScope } from '../common/database/transaction-scope';
import { Rate } from '../common/money/rate';
import { findDataFile } from './data-files';
import {
  type LprRow,
  type PbocBenchmarkRow,
  type ReferenceRates,
  parseLprCsv,
  parsePbocCsv,
  syncReferenceRows,
} from './domain/reference-rates';
import { LprRateRow, PbocBenchmarkRateRow } from './programme.entities';

export const LPR_FILE = 'lpr-history.csv';
export const PBOC_FILE = 'pboc-benchmark-history.csv';

const lprOf = (r: LprRateRow): LprRow => ({ effectiveFrom: r.effectiveFrom, oneYear: r.oneYear.toString(), fiveYear: r.fiveYear.toString() });
const pbocOf = (r: PbocBenchmarkRateRow): PbocBenchmarkRow => ({
  effectiveFrom: r.effectiveFrom,
  upToOneYear: r.upToOneYear.toString(),
  oneToFiveYears: r.oneToFiveYears.toString(),
  overFiveYears: r.overFiveYears.toString(),
});

/**
 * The reference rates of the rate cap (RULES §2, revised 2026-12): the LPR and the PBoC benchmark
 * lending rates, each a dated table in the database (lpr_rates, pboc_benchmark_rates), not part of
 * any policy version. At start-up the rows of data/lpr-history.csv and
 * data/pboc-benchmark-history.csv the database lacks are added, so a database first started
 * before 2025-05-20 learns the 3.00% row when the file has it; a stored row whose values differ
 * from the file's (compared by value, not text) is kept and logged. Rows are never changed or
 * deleted by the service.
 */
@Injectable()
export class ReferenceRatesService implements OnModuleInit {
  private readonly logger = new Logger('ReferenceRates');
  private rates: ReferenceRates = { lpr: [], pboc: [] };

  constructor(private readonly tx: TransactionScope) {}

  async onModuleInit(): Promise<void> {
    await this.syncFromFiles({ lpr: parseLprCsv(readFileSync(findDataFile(LPR_FILE), 'utf8')), pboc: parsePbocCsv(readFileSync(findDataFile(PBOC_FILE), 'utf8')) });
  }

  /** Adds the file rows the tables lack, logs differing ones, then reloads the tables. */
  async syncFromFiles(files: ReferenceRates): Promise<{ lprAdded: string[]; pbocAdded: string[] }> {
    const added = await this.tx.run(async (m) => {
      const lpr = syncReferenceRows((await m.find(LprRateRow)).map(lprOf), files.lpr);
      const pboc = syncReferenceRows((await m.find(PbocBenchmarkRateRow)).map(pbocOf), files.pboc);
      for (const r of lpr.missing) {
        await m.createQueryBuilder().insert().into(LprRateRow)
          .values({ effectiveFrom: r.effectiveFrom, oneYear: Rate.of(r.oneYear), fiveYear: Rate.of(r.fiveYear), source: LPR_FILE })
          .orIgnore().execute();
      }
      for (const r of pboc.missing) {
        await m.createQueryBuilder().insert().into(PbocBenchmarkRateRow)
          .values({ effectiveFrom: r.effectiveFrom, upToOneYear: Rate.of(r.upToOneYear), oneToFiveYears: Rate.of(r.oneToFiveYears), overFiveYears: Rate.of(r.overFiveYears), source: PBOC_FILE })
          .orIgnore().execute();
      }
      for (const c of [...lpr.changed, ...pboc.changed]) {
        this.logger.warn(`reference rate row ${c.effectiveFrom} differs between the database and the data file; the stored row is kept: ${JSON.stringify(c)}`);
      }
      return { lprAdded: lpr.missing.map((r) => r.effectiveFrom), pbocAdded: pboc.missing.map((r) => r.effectiveFrom) };
    });
    if (added.lprAdded.length || added.pbocAdded.length) {
      this.logger.log(`reference rates added from data files: LPR ${added.lprAdded.join(', ') || '—'}; PBoC ${added.pbocAdded.join(', ') || '—'}`);
    }
    await this.reload();
    return added;
  }

  /** Reads both tables into memory (the rate-cap rules read them synchronously). */
  async reload(): Promise<void> {
    const m = this.tx.manager;
    const lpr = await m.find(LprRateRow, { order: { effectiveFrom: 'ASC' } });
    const pboc = await m.find(PbocBenchmarkRateRow, { order: { effectiveFrom: 'ASC' } });
    this.rates = { lpr: lpr.map(lprOf), pboc: pboc.map(pbocOf) };
  }

  /** The tables as last loaded. */
  current(): ReferenceRates {
    return this.rates;
  }
}
