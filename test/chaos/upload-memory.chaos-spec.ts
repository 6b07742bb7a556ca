import { readFileSync } from 'node:fs';
import { Figures } from './support/figures';
import { PrivateCluster } from './support/postgres-cluster';
import { rawRequest } from '../support/raw-http';
import { CHAOS_ADMIN_TOKEN, ServiceProcess } from './support/service';
import { code, ok } from './support/world';

/** Resident memory of a process, now and at its peak, in MiB (Linux /proc). */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) };
}

/**
 * Issue 10 item 5 (memory): a valid 49 MB CSV bank report raised the service's resident memory to
 * 1.5 GB (peak 2.3 GB), because the CSV was held whole, split into lines, then into rows (about
 * 25 × its size: a peak of 337 MiB for 8 MiB). The CSV is now parsed as it arrives and checked and
 * written in chunks of 10,000 rows in one transaction; the limit rose to 64 MiB. This spec
 * measures the service's memory for a valid 8 MiB report and a valid 40 MiB one (every row a
 * registered, disbursed loan of the bank), and checks that a body declared above the limit is
 * refused with 413 before it is read.
 *
 * What still grows with the report: the loan references seen (to find a loan listed twice) and,
 * for a refused report, its problems.
 */
describe('CSV upload memory: parsed as it arrives; bounded peak for 8 MiB and 40 MiB; 413 above the limit before reading', () => {
  const database = 'rf_chaos_upload';
  const figures = new Figures('Upload memory (upload-memory.chaos-spec.ts)');
  const MIB = 1024 * 1024;
  const LIMIT = 64 * MIB;
  const LINE = `L0000000,999999.00,1000.00,normal\n`.length;
  const rowsFor = (bytes: number) => Math.floor((bytes - 100) / LINE) - 10;
  let cluster: PrivateCluster;
  let service: ServiceProcess;
  let bank: string;

  beforeAll(async () => {
    cluster = await PrivateCluster.start();
    service = new ServiceProcess({ databaseUrl: await cluster.createDatabase(database) });
    await service.start();
    bank = code('UB');
    const agency = code('UA');
    const borrower = code('UR');
    await ok(service.request('POST', '/v1/banks', { body: { code: bank, name: 'Upload bank' } }), 'bank');
    await ok(service.request('POST', '/v1/agencies', { body: { code: agency, name: 'Agency', feeRate: '0.01', joinedOn: '2021-01-01' } }), 'agency');
    await ok(service.request('POST', '/v1/agreements', { body: { bankCode: bank, agencyCode: agency, signedOn: '2021-01-01' } }), 'agreement');
    await ok(service.request('POST', '/v1/borrowers', { body: { code: borrower, name: 'B', highTech: true, techSme: false, revenues: [{ year: 2024, amount: '18000000.00' }] } }), 'borrower');
    // As many disbursed loans as rows fit in 40 MiB, inserted in bulk (as bench/bank-report-import.ts does).
    await cluster.query(
      database,
      `INSERT INTO loans (reference, bank_code, agency_code, borrower_code, group_key, amount, annual_rate, term_months,
                          contract_date, registered_on, security, collateral_value, policy_version_id, compensation_ratio,
                          revenue_year_used, revenue_used, registration_breakdown, disbursed_on, disbursed_amount,
                          disbursement_reported_on, disbursement_report_due_on, disbursement_report_late)
       SELECT 'L' || lpad(g::text, 7, '0'), $1, $2, $3, 'borrower:' || $3, 1000000.00, 0.0390, 24,
              '2025-01-02', '2025-01-03', 'guarantee', 0, 'henan-2021', 0.60, 2024, 18000000.00, '[]'::jsonb,
              '2025-01-06', 1000000.00, '2025-01-06', '2025-01-13', false
         FROM generate_series(1, $4::int) g`,
      [bank, agency, borrower, rowsFor(40 * MIB)],
    );
  }, 600_000);

  afterAll(async () => {
    figures.print();
    await service?.stop();
    await cluster?.destroy();
  });

  async function validReport(mib: number, quarter: string): Promise<void> {
    const rows = rowsFor(mib * MIB);
    const lines = ['loanReference,outstandingPrincipal,repaid,assetQuality'];
    for (let g = 1; g <= rows; g++) lines.push(`L${String(g).padStart(7, '0')},999000.00,1000.00,normal`);
    const csv = `${lines.join('\n')}\n`;
    lines.length = 0;
    expect(Buffer.byteLength(csv)).toBeLessThanOrEqual(mib * MIB);
    const before = memoryMiB(service.pid as number);
    const res = await service.request('POST', `/v1/bank-reports?bankCode=${bank}&quarter=${quarter}`, { raw: csv, headers: { 'Content-Type': 'text/csv' }, timeoutMs: 600_000 });
    const after = memoryMiB(service.pid as number);
    expect([res.status, (res.json as { rows?: number }).rows]).toEqual([201, rows]);
    figures.add({
      upload: `valid CSV, ${rows.toLocaleString('en')} rows, ${(Buffer.byteLength(csv) / MIB).toFixed(1)} MiB`,
      answer: `${res.status} in ${(res.ms / 1000).toFixed(1)} s`,
      'RSS before MiB': before.rss,
      'peak RSS MiB': after.peak,
    });
    // The service's whole resident memory, not only this upload's share, stays far below the 1.5 GB of the issue.
    expect(after.peak).toBeLessThan(768);
  }

  it('a valid 8 MiB report is applied; the service’s peak memory stays bounded', async () => {
    await validReport(8, '2025Q1');
  }, 600_000);

  it('a valid 40 MiB report (1.2 million rows) is applied; the peak stays bounded', async () => {
    await validReport(40, '2025Q2');
  }, 600_000);

  it('a CSV declared above the limit (100 MB) → 413 REQUEST.TOO_LARGE before it is read; memory does not move', async () => {
    const before = memoryMiB(service.pid as number);
    const head = 'loanReference,outstandingPrincipal,repaid,assetQuality\n';
    const res = await rawRequest({
      port: service.port,
      method: 'POST',
      path: `/v1/bank-reports?bankCode=${bank}&quarter=2025Q3`,
      partial: true,
      body: head,
      headers: { 'Content-Type': 'text/csv', 'Content-Length': 100 * 1000 * 1000, Authorization: `Bearer ${CHAOS_ADMIN_TOKEN}` },
      timeoutMs: 5_000,
    }).catch(() => null);
    // The answer comes before the body is sent (the request above never sends the rest).
    expect(res && [res.status, (res.json as { code?: string }).code, res.headers.connection]).toEqual([413, 'REQUEST.TOO_LARGE', 'close']);
    const after = memoryMiB(service.pid as number);
    expect(after.rss - before.rss).toBeLessThan(32);
    expect(LIMIT).toBeLessThan(100 * 1000 * 1000);
    figures.add({ upload: 'CSV declared 100 MB', answer: `413 in ${res?.ms} ms`, 'RSS before MiB': before.rss, 'peak RSS MiB': after.peak });
  });
});
