import iconv from 'iconv-lite';
import { DomainError } from '../common/errors/domain-error';
import { decodeStatement, readMultipart } from './statement-decoding';

const TEXT = '交易日期,金额\r\n2025-10-10,-25.00\r\n';

describe('statement bytes → text (docs/reconciliation.md "Statement files")', () => {
  it('UTF-8, UTF-8 with BOM, GBK (detected), GBK (declared), UTF-16 LE and BE with BOM all give the same text', () => {
    const cases: [Buffer, string | null, string][] = [
      [Buffer.from(TEXT, 'utf8'), null, 'utf-8'],
      [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]), null, 'utf-8-bom'],
      [iconv.encode(TEXT, 'gbk'), null, 'gb18030'],
      [iconv.encode(TEXT, 'gbk'), 'gbk', 'gb18030'],
      [Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(TEXT, 'utf-16le')]), null, 'utf-16le'],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(TEXT, 'utf-16be')]), null, 'utf-16be'],
    ];
    for (const [bytes, charset, encoding] of cases) expect(decodeStatement(bytes, charset)).toEqual({ text: TEXT, encoding });
  });

  it('bytes valid in no encoding we read, a control character, or an unknown charset → 400 STATEMENT.UNREADABLE', () => {
    const refuse = (bytes: Buffer, charset: string | null) => {
      try {
        decodeStatement(bytes, charset);
      } catch (error) {
        return (error as DomainError).code;
      }
      return 'accepted';
    };
    expect(refuse(Buffer.from([0x61, 0x0a, 0xff, 0xff, 0x0a]), null)).toBe('STATEMENT.UNREADABLE');
    expect(refuse(Buffer.from('a,b\n1,\u0000\n', 'utf8'), null)).toBe('STATEMENT.UNREADABLE');
    expect(refuse(Buffer.from('a', 'utf8'), 'latin1')).toBe('STATEMENT.UNREADABLE');
    expect(refuse(Buffer.alloc(0), null)).toBe('STATEMENT.EMPTY');
  });

  it('multipart: the one file part and the fields; two files → 400 STATEMENT.MULTIPART', async () => {
    const body = (parts: string[]) => Buffer.from(parts.map((p) => `--XYZ\r\n${p}\r\n`).join('') + '--XYZ--\r\n', 'utf8');
    const field = 'Content-Disposition: form-data; name="bankCode"\r\n\r\nBANK01';
    const file = 'Content-Disposition: form-data; name="file"; filename="s.csv"\r\nContent-Type: text/csv\r\n\r\ndate,amount';
    const up = await readMultipart(body([field, file]), 'multipart/form-data; boundary=XYZ');
    expect(up.fields).toEqual({ bankCode: 'BANK01' });
    expect(up.file.toString('utf8')).toBe('date,amount');
    await expect(readMultipart(body([file, file]), 'multipart/form-data; boundary=XYZ')).rejects.toMatchObject({ code: 'STATEMENT.MULTIPART' });
    await expect(readMultipart(body([field]), 'multipart/form-data')).rejects.toMatchObject({ code: 'STATEMENT.MULTIPART' });
  });
});
