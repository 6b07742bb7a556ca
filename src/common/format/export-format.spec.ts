import ExcelJS from 'exceljs';
import { amountCell, columnWidth, csvSafeField, exportLang, exportOptions, headersOf } from './export-format';
import { xlsxOf } from './xlsx-writer';

describe('export language (issue 17 item 3; docs/exports.md)', () => {
  it.each([
    [undefined, undefined, 'en'],
    ['zh-CN', undefined, 'zh-CN'],
    ['zh', 'en', 'zh-CN'],
    ['en', 'zh-CN', 'en'],
    [undefined, 'zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    [undefined, 'en-US,en;q=0.9,zh-CN;q=0.8', 'en'],
    [undefined, 'fr-FR, zh-TW;q=0.5, en;q=0.4', 'zh-CN'],
    [undefined, 'en;q=0.2, zh;q=0.7', 'zh-CN'],
    [undefined, 'zh;q=0, en;q=0.1', 'en'],
    [undefined, 'fr, de', 'en'],
  ])('?lang=%s, Accept-Language %s → %s', (lang, accept, expected) => expect(exportLang(lang, accept)).toBe(expected));

  it('the byte-order mark is on unless bom=false', () => {
    expect(exportOptions({}, undefined)).toEqual({ lang: 'en', bom: true });
    expect(exportOptions({ bom: false, lang: 'zh-CN' }, 'en')).toEqual({ lang: 'zh-CN', bom: false });
  });

  it('headers: Chinese where the dictionary has the column, the English name otherwise; English unchanged', () => {
    expect(headersOf(['debit', 'credit', 'loanReference', 'prev_hash', 'unknownColumn'], 'zh-CN')).toEqual(['借方', '贷方', '贷款编号', '前一哈希', 'unknownColumn']);
    expect(headersOf(['debit', 'credit'], 'en')).toEqual(['debit', 'credit']);
  });

  it('money strings become numbers exact to the fen; empty stays empty', () => {
    expect(amountCell('1825230.00')).toBe(1825230);
    expect(amountCell('9999999999999.99')).toBe(9999999999999.99);
    expect(amountCell('0.10')).toBe(0.1);
    expect(amountCell('')).toBeNull();
    expect(amountCell(null)).toBeNull();
    expect(amountCell('n/a')).toBeNull();
  });

  it('widths count a CJK character as two', () => {
    expect(columnWidth('借方', 4)).toBe(6);
    expect(columnWidth('debit', 4)).toBe(7);
    expect(columnWidth('debit')).toBe(12);
  });
});

describe('xlsxOf: XLSX people open in Excel', () => {
  const tables = [
    {
      sheet: { en: 'Payment instructions', zh: '付款指令' },
      columns: [{ key: 'reference' }, { key: 'amount', kind: 'amount' as const }, { key: 'memo', width: 40 }],
      rows: [
        ['RF0000001D', '1825230.00', '=SUM(A1:A9)'],
        ['RF0000002F', '0.01', null],
      ],
    },
  ];

  it('numeric amounts in #,##0.00, a frozen bold header, widths, Chinese sheet name and headers; formulas stay text', async () => {
    const buffer = await xlsxOf(tables, 'zh-CN');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer);
    const ws = wb.getWorksheet('付款指令');
    expect(ws?.getRow(1).values).toEqual([undefined, '参考号', '金额', '摘要']);
    expect(ws?.getRow(1).font?.bold).toBe(true);
    expect(ws?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws?.getRow(2).getCell(2).value).toBe(1825230);
    expect(ws?.getRow(2).getCell(2).numFmt).toBe('#,##0.00');
    expect(ws?.getRow(3).getCell(2).value).toBe(0.01);
    expect(ws?.getRow(2).getCell(3).value).toBe('=SUM(A1:A9)');
    expect(ws?.getColumn(3).width).toBe(40);
    // SUM over the amount cells gives the total to the fen: 1,825,230.00 + 0.01.
    const sum = [2, 3].reduce((s, r) => s + Number(ws?.getRow(r).getCell(2).value), 0);
    expect(sum.toFixed(2)).toBe('1825230.01');
  });

  it('English by default: the English sheet name and the column keys as headers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsxOf(tables, 'en'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Payment instructions']);
    expect(wb.worksheets[0].getRow(1).values).toEqual([undefined, 'reference', 'amount', 'memo']);
  });

  it('the same tables twice, a second apart → the same bytes', async () => {
    const a = await xlsxOf(tables, 'zh-CN');
    await new Promise((r) => setTimeout(r, 1100));
    const b = await xlsxOf(tables, 'zh-CN');
    expect(Buffer.compare(a, b)).toBe(0);
  });
});

describe('csvSafeField: RFC 4180 with the formula guard', () => {
  it('text a spreadsheet would run gets an apostrophe; numbers and plain text stay as they are', () => {
    expect(csvSafeField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvSafeField('+cmd')).toBe("'+cmd");
    expect(csvSafeField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvSafeField('-25.00')).toBe('-25.00');
    expect(csvSafeField('+3')).toBe('+3');
    expect(csvSafeField('-1+1')).toBe("'-1+1");
    expect(csvSafeField('河南,科技')).toBe('"河南,科技"');
    expect(csvSafeField(null)).toBe('');
    expect(csvSafeField(12.5)).toBe('12.5');
  });
});
