import busboy from 'busboy';
import iconv from 'iconv-lite';
import { DomainError } from '../common/errors/domain-error';
import { textProblem, textProblemMessage } from '../common/http/request-text';
import { STATEMENT_ERRORS } from './reconciliation.errors';

/**
 * Bytes of an uploaded statement → text. Chinese banks export GBK as often as UTF-8, so the
 * encoding is detected (docs/reconciliation.md "Files"):
 * 1. a `charset` in the Content-Type (utf-8, gbk, gb2312, gb18030) is obeyed;
 * 2. a byte order mark decides (UTF-8, UTF-16 LE/BE, as spreadsheet programs write them);
 * 3. otherwise bytes that are valid UTF-8 are UTF-8 (GBK text with Chinese characters almost never
 *    is), and anything else is read as GB18030, the superset of GBK and GB2312.
 * Decoding is iconv-lite's (the decoder Express's own body parser uses): a byte sequence that is
 * not valid in the chosen encoding gives U+FFFD, and such a file is refused (400
 * STATEMENT.UNREADABLE) rather than stored with replacement characters.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const GB_CHARSETS: ReadonlySet<string> = new Set(['gbk', 'gb2312', 'gb18030', 'cp936', 'x-gbk']);

export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';
}

function unreadable(message: string, extra: Record<string, unknown> = {}): DomainError {
  return DomainError.invalid(STATEMENT_ERRORS.UNREADABLE, message, [{ field: 'body', code: 'UNREADABLE', message, ...extra }]);
}

function decodeBytes(bytes: Buffer, charset: string | null): DecodedText {
  if (charset && GB_CHARSETS.has(charset)) return { text: iconv.decode(bytes, 'gb18030'), encoding: 'gb18030' };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: strictUtf8(bytes.subarray(3)), encoding: 'utf-8-bom' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: iconv.decode(bytes.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw unreadable(`charset ${charset.slice(0, 40)} is not read: send UTF-8 or GBK/GB18030.`);
  try {
    return { text: UTF8.decode(bytes), encoding: 'utf-8' };
  } catch {
    if (charset) throw unreadable('The body is not valid UTF-8.');
    return { text: iconv.decode(bytes, 'gb18030'), encoding: 'gb18030' };
  }
}

function strictUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw unreadable('The file starts with a UTF-8 byte order mark but is not valid UTF-8.');
  }
}

/** Decodes and checks the text: no replacement character, NUL or control character. */
export function decodeStatement(bytes: Buffer, charset: string | null): DecodedText {
  if (!bytes.length) throw DomainError.invalid(STATEMENT_ERRORS.EMPTY, 'The statement is empty.');
  const decoded = decodeBytes(bytes, charset);
  const bad = decoded.text.indexOf('\ufffd');
  if (bad >= 0) {
    const line = decoded.text.slice(0, bad).split('\n').length;
    throw unreadable(`The file is neither UTF-8 nor GBK/GB18030 text (line ${line} cannot be decoded).`, { line });
  }
  const p = textProblem(decoded.text, true);
  if (p) {
    const line = decoded.text.slice(0, p.index).split('\n').length;
    throw unreadable(`Line ${line} ${textProblemMessage(p.code)}.`, { line });
  }
  return decoded;
}

export function charsetOf(contentType: string): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return m ? m[1].toLowerCase() : null;
}

export interface MultipartUpload {
  file: Buffer;
  fileContentType: string;
  fields: Record<string, string>;
}

/** The one file part and the text fields of a multipart/form-data body (busboy). */
export function readMultipart(body: Buffer, contentType: string): Promise<MultipartUpload> {
  return new Promise((resolve, reject) => {
    const refuse = (message: string) => reject(DomainError.invalid(STATEMENT_ERRORS.MULTIPART, message, [{ field: 'body', code: 'MULTIPART', message }]));
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { files: 2, fields: 20, fieldSize: 1024, parts: 24 } });
    } catch (error) {
      return refuse(`The multipart body cannot be read: ${error instanceof Error ? error.message.slice(0, 100) : 'bad boundary'}.`);
    }
    const files: { data: Buffer; type: string }[] = [];
    const fields: Record<string, string> = {};
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => files.push({ data: Buffer.concat(chunks), type: info.mimeType }));
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('error', (error: unknown) => refuse(`The multipart body cannot be read: ${error instanceof Error ? error.message.slice(0, 100) : 'malformed'}.`));
    parser.on('close', () => {
      if (files.length !== 1) return refuse(`A statement upload carries exactly one file part; this one has ${files.length}.`);
      resolve({ file: files[0].data, fileContentType: files[0].type, fields });
    });
    parser.end(body);
  });
}
