import mammoth from 'mammoth';
import Papa from 'papaparse';
import { readSheet } from 'read-excel-file/node';
import { extractText, getDocumentProxy } from 'unpdf';

export type FileFormat = 'pdf' | 'docx' | 'csv' | 'xlsx';

/** What a file became: prose to chunk by paragraphs, or a table with one line per row. */
export type ParsedFile = { shape: 'prose'; text: string } | { shape: 'table'; text: string; rows: number };

export class ParseError extends Error {
  constructor(
    readonly reason: 'format' | 'empty' | 'budget' | 'broken' | 'too_long' | 'unzipped',
    message: string,
    /** The figures of the message, for a translated one. */
    readonly vars: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

/** The format named by the file's extension, if it is one we read. */
export function formatOf(fileName: string): FileFormat | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  return ext === 'pdf' || ext === 'docx' || ext === 'csv' || ext === 'xlsx' ? ext : null;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
/** What the parts of a DOCX or XLSX may add up to once inflated. */
const MAX_UNZIPPED_BYTES = 64 * 1024 * 1024;
/** The bytes must agree with the extension: a renamed file is refused before any parser sees it. */
function looksLike(format: FileFormat, bytes: Uint8Array): boolean {
  if (format === 'pdf') return Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';
  if (format === 'docx' || format === 'xlsx') return ZIP.every((b, i) => bytes[i] === b);
  return !bytes.subarray(0, 4096).includes(0); // CSV is text: no NUL bytes
}

/**
 * The uncompressed size a zip (DOCX, XLSX) declares in its central directory, or null when it cannot be
 * read (no end record, ZIP64). A few KB of zip can declare gigabytes: the parsers inflate whole parts in
 * memory, so a file whose parts add up to more than the cap is refused before any of them is inflated.
 */
export function zipDeclaredSize(bytes: Uint8Array): number | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const entries = v.getUint16(end + 10, true);
  let at = v.getUint32(end + 16, true);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || v.getUint32(at, true) !== 0x02014b50) return null;
    const size = v.getUint32(at + 24, true);
    if (size === 0xffffffff) return null; // ZIP64: not something an office file of a few MB needs
    total += size;
    at += 46 + v.getUint16(at + 28, true) + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
  }
  return total;
}

/** A table as lines "Header: value; Header: value", one per row, so each row is retrieved on its own. */
export function tableLines(rows: unknown[][]): string[] {
  const cell = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v === null || v === undefined ? '' : String(v).replace(/\s+/g, ' ').trim());
  const nonEmpty = rows.map((r) => r.map(cell)).filter((r) => r.some(Boolean));
  const [header, ...body] = nonEmpty;
  if (!header) return [];
  const names = header.map((h, i) => h || `Column ${i + 1}`);
  return body
    .map((r) =>
      r
        .map((v, i) => (v ? `${names[i] ?? `Column ${i + 1}`}: ${v}` : ''))
        .filter(Boolean)
        .join('; '),
    )
    .filter(Boolean);
}

async function parse(format: FileFormat, bytes: Uint8Array, signal: AbortSignal): Promise<ParsedFile> {
  switch (format) {
    case 'pdf': {
      const pdf = await getDocumentProxy(new Uint8Array(bytes));
      // pdf.js works page by page between awaits: destroying its loading task stops it when the budget is spent.
      // (unpdf's serverless build has no PDFDocumentProxy.destroy; the task's destroy is what it calls.)
      const stop = () => void pdf.loadingTask.destroy();
      signal.addEventListener('abort', stop, { once: true });
      try {
        const { text } = await extractText(pdf, { mergePages: false });
        return { shape: 'prose', text: text.map((p) => p.trim()).join('\n\n') };
      } finally {
        signal.removeEventListener('abort', stop);
        void pdf.loadingTask.destroy();
      }
    }
    case 'docx': {
      const r = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
      return { shape: 'prose', text: r.value };
    }
    case 'csv': {
      const r = Papa.parse<string[]>(
        Buffer.from(bytes)
          .toString('utf8')
          .replace(/^\uFEFF/, ''),
        { skipEmptyLines: 'greedy' },
      );
      const lines = tableLines(r.data);
      return { shape: 'table', text: lines.join('\n'), rows: lines.length };
    }
    case 'xlsx': {
      const rows = await readSheet(Buffer.from(bytes));
      const lines = tableLines(rows as unknown[][]);
      return { shape: 'table', text: lines.join('\n'), rows: lines.length };
    }
  }
}

/**
 * Read an uploaded file within a time budget. The budget bounds how long the request waits; the
 * parsers are asynchronous (pdf.js, mammoth, the xlsx unzip) or linear (papaparse), so a slow file is
 * abandoned rather than holding the request.
 */
export async function parseFile(
  format: FileFormat,
  bytes: Uint8Array,
  o: { budgetMs: number; maxChars: number; maxUnzippedBytes?: number },
): Promise<ParsedFile> {
  if (!looksLike(format, bytes)) throw new ParseError('format', `the file is not a ${format.toUpperCase()} file`, { format: format.toUpperCase() });
  if (format === 'docx' || format === 'xlsx') {
    const max = o.maxUnzippedBytes ?? MAX_UNZIPPED_BYTES;
    const size = zipDeclaredSize(bytes);
    if (size === null)
      throw new ParseError('broken', `the ${format.toUpperCase()} file is broken (its zip directory cannot be read)`, { format: format.toUpperCase() });
    if (size > max)
      throw new ParseError('unzipped', `the file unpacks to more than ${Math.round(max / 1024 / 1024)} MB`, { mb: Math.round(max / 1024 / 1024) });
  }
  let timer: NodeJS.Timeout | undefined;
  let parsed: ParsedFile;
  const abort = new AbortController();
  try {
    parsed = await Promise.race([
      parse(format, bytes, abort.signal).catch((err: unknown) => {
        throw new ParseError('broken', `the ${format.toUpperCase()} file is broken (${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'})`, {
          format: format.toUpperCase(),
        });
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          reject(new ParseError('budget', `reading it took longer than ${o.budgetMs} ms`, { ms: o.budgetMs }));
        }, o.budgetMs);
        timer.unref();
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
  const text = parsed.text.replaceAll(String.fromCharCode(0), '').trim();
  if (!text) throw new ParseError('empty', 'the file contains no text (a scanned PDF needs OCR first)');
  if (text.length > o.maxChars) throw new ParseError('too_long', `the file has more than ${o.maxChars} characters of text`, { max: o.maxChars });
  return { ...parsed, text };
}
