import { Readable } from 'node:stream';
import { DomainError } from '../common/errors/domain-error';
import { fenOf, KnownLoan, parseReportCsv, RawReportRow, readReportCsv, ReportRowsChecker, validateReportRows } from './bank-report-rows';

describe('parseReportCsv', () => {
  it('keeps file line numbers (header = 1, blank lines counted), any column order, quotes, CRLF and BOM', () => {
    const rows = parseReportCsv('\ufeffrepaid,loanReference,outstandingPrincipal,assetQuality\r\n0.00,"A,1",10.00,normal\r\n\r\n1.00,B,2.00,loss\r\n');
    expect(rows).toEqual([
      { line: 2, values: { repaid: '0.00', loanReference: 'A,1', outstandingPrincipal: '10.00', assetQuality: 'normal' } },
      { line: 4, values: { repaid: '1.00', loanReference: 'B', outstandingPrincipal: '2.00', assetQuality: 'loss' } },
    ]);
  });

  it('Chinese headers (the words the zh-CN exports write, issue 17) are read as the API columns', () => {
    const rows = parseReportCsv('\ufeff贷款编号,未偿本金,已还本金,五级分类\r\nA,10.00,0.00,正常\r\n');
    expect(rows).toEqual([{ line: 2, values: { loanReference: 'A', outstandingPrincipal: '10.00', repaid: '0.00', assetQuality: '正常' } }]);
  });

  it('a wrong header is a 400 naming every missing and unknown column', () => {
    try {
      parseReportCsv('loanReference,outstanding,repaid\n');
      throw new Error('expected a DomainError');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      const err = e as DomainError;
      expect(err.kind).toBe('invalid');
      expect(err.details.map((d) => `${d.code} ${d.field}`)).toEqual([
        'MISSING_COLUMN outstandingPrincipal',
        'MISSING_COLUMN assetQuality',
        'UNKNOWN_COLUMN outstanding',
      ]);
    }
  });
});

describe('fenOf (exact integer fen)', () => {
  it.each([
    ['0', 0n],
    ['2500000.5', 250000050n],
    ['999999999999999.99', 99999999999999999n],
    ['12.05', 1205n],
  ])('%s → %s', (text, fen) => expect(fenOf(text)).toBe(fen));
});

describe('validateReportRows', () => {
  const loans = new Map<string, KnownLoan>([
    ['A', { id: 'id-a', disbursedOn: '2025-03-01', disbursedFen: 300000000n }],
    ['B', { id: 'id-b', disbursedOn: null, disbursedFen: null }],
  ]);

  it('sums exactly and lists nothing for good rows; outstanding equal to the disbursed amount is allowed', () => {
    const { problems, valid } = validateReportRows(
      [{ line: 2, values: { loanReference: 'A', outstandingPrincipal: '3000000.00', repaid: '0.1', assetQuality: 'doubtful' } }],
      loans,
      '2025-03-31',
    );
    expect(problems).toEqual([]);
    expect(valid.outstandingTotal.toString()).toBe('3000000.00');
    expect(valid.repaidTotal.toString()).toBe('0.10');
    expect(valid.loanIds).toEqual(['id-a']);
  });

  it('the five-tier class in Chinese (正常 关注 次级 可疑 损失) is the API value', () => {
    const { problems, valid } = validateReportRows(
      [
        { line: 2, values: { loanReference: 'A', outstandingPrincipal: '1.00', repaid: '0.00', assetQuality: '可疑' } },
        { line: 3, values: { loanReference: 'B', outstandingPrincipal: '0.00', repaid: '0.00', assetQuality: '良好' } },
      ],
      loans,
      '2025-03-31',
    );
    expect(valid.quality[0]).toBe('doubtful');
    expect(problems.map((p) => `${p.line} ${p.field} ${p.code}`)).toContain('3 assetQuality INVALID_ASSET_QUALITY');
    expect(problems.filter((p) => p.line === 2)).toEqual([]);
  });

  it('lists every problem of every row', () => {
    const { problems, valid } = validateReportRows(
      [
        { line: 2, values: { loanReference: 'A', outstandingPrincipal: '3000000.01', repaid: '-1.00', assetQuality: 'normal', extra: 1 } },
        { line: 3, values: { loanReference: 'B', outstandingPrincipal: 5, repaid: '0', assetQuality: 'Normal' } },
        { line: 4, values: {}, fieldCount: { expected: 4, got: 2 } },
      ],
      loans,
      '2025-03-31',
    );
    expect(problems.map((p) => `${p.line} ${p.field} ${p.code}`)).toEqual([
      '2 extra UNKNOWN_FIELD',
      '2 repaid NEGATIVE_NOT_ALLOWED',
      '2 outstandingPrincipal OUTSTANDING_ABOVE_DISBURSED',
      '3 loanReference LOAN_NOT_DISBURSED',
      '3 outstandingPrincipal NOT_A_STRING',
      '3 assetQuality INVALID_ASSET_QUALITY',
      '4 * FIELD_COUNT',
    ]);
    expect(valid.loanIds).toEqual([]);
  });
});

describe('readReportCsv (a CSV read as it arrives, issue 10 item 5)', () => {
  const collect = async (pieces: string[], chunkSize: number) => {
    const chunks: RawReportRow[][] = [];
    for await (const chunk of readReportCsv(Readable.from(pieces), chunkSize)) chunks.push([...chunk]);
    return chunks;
  };

  it('yields rows in chunks with their file lines, whatever the pieces the text arrives in (split mid-line, mid-quote)', async () => {
    const text = 'loanReference,outstandingPrincipal,repaid,assetQuality\r\nA,1.00,0.00,normal\n\n"B,1",2.00,0.00,loss\r\nC,3.00,0.00,doubtful\n';
    const pieces = text.match(/[\s\S]{1,7}/g) as string[];
    const chunks = await collect(pieces, 2);
    expect(chunks.flat().map((r) => `${r.line} ${String(r.values.loanReference)}`)).toEqual(['2 A', '4 B,1', '5 C']);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= 2)).toBe(true);
  });

  it('a wrong header is refused at once; an unclosed quote ends the rows with a malformed row at its line', async () => {
    await expect(collect(['loanReference,outstanding\n', 'A,1\n'], 10)).rejects.toMatchObject({ code: 'REPORT.CSV_HEADER' });
    const chunks = await collect(['loanReference,outstandingPrincipal,repaid,assetQuality\nA,1.00,0.00,normal\n"B,2.00,0.00,normal\nC,1.00,0.00,normal\n'], 10);
    const rows = chunks.flat();
    expect(rows[0]).toMatchObject({ line: 2 });
    expect(rows[1]).toMatchObject({ malformed: expect.stringContaining('Quote Not Closed') });
  });

  it('the checker finds a loan listed twice in different chunks and keeps exact totals across them', () => {
    const loans = new Map<string, KnownLoan>([
      ['A', { id: 'id-a', disbursedOn: '2025-03-01', disbursedFen: 300000000n }],
      ['B', { id: 'id-b', disbursedOn: '2025-03-01', disbursedFen: 300000000n }],
    ]);
    const checker = new ReportRowsChecker('2025-03-31');
    const first = checker.check([{ line: 2, values: { loanReference: 'A', outstandingPrincipal: '0.10', repaid: '0.20', assetQuality: 'normal' } }], loans);
    const second = checker.check(
      [
        { line: 3, values: { loanReference: 'B', outstandingPrincipal: '0.20', repaid: '0.10', assetQuality: 'loss' } },
        { line: 4, values: { loanReference: 'A', outstandingPrincipal: '1.00', repaid: '0', assetQuality: 'normal' } },
      ],
      loans,
    );
    expect([first.loanIds, second.loanIds]).toEqual([['id-a'], ['id-b']]);
    expect(checker.problems.map((p) => `${p.line} ${p.code} ${p.message}`)).toEqual(['4 DUPLICATE_LOAN loan A is already reported on line 2']);
    expect(checker.rows).toBe(3);
    expect([checker.totals.outstanding.toString(), checker.totals.repaid.toString()]).toEqual(['0.30', '0.30']);
  });
});
