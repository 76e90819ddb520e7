/**
 * Writes the knowledge upload fixtures in test/fixtures/knowledge/: a one-page PDF with a text object, a
 * DOCX and an XLSX built from their minimal XML parts, and a CSV price list. Run with
 * `npx tsx scripts/make-knowledge-fixtures.ts`; the output is deterministic, so the committed files are
 * exactly what this script writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/knowledge');

export const PRICE_LIST: [string, string, string, string][] = [
  ['Product', 'Price', 'Currency', 'Notes'],
  ['Blue Widget', '19.90', 'USD', 'Small size, sold in packs of ten'],
  ['Red Gadget', '249.00', 'USD', 'Includes installation'],
  ['Green Gizmo', '1200.00', 'USD', 'Annual licence for one site'],
  ['Silver Sprocket', '4.75', 'USD', 'Replacement part'],
  ['Golden Gear', '89.00', 'USD', 'Two-year warranty'],
  ['Purple Pulley', '32.50', 'USD', 'Ships in 3 days'],
];

// A fixed date inside the zips, so the files do not change from run to run.
const mtime = new Date(Date.UTC(2026, 0, 1));
const zip = (files: Record<string, string>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([name, xml]) => [name, [strToU8(xml), { mtime }]])), { level: 6 });
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function pdf(lines: string[]): Buffer {
  const text = lines.map((l, i) => `BT /F1 12 Tf 72 ${720 - i * 18} Td (${l.replace(/([()\\])/g, '\\$1')}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function docx(paragraphs: string[]): Uint8Array {
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  return zip({
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}"><w:body>${paragraphs
      .map((p) => `<w:p><w:r><w:t xml:space="preserve">${esc(p)}</w:t></w:r></w:p>`)
      .join('')}</w:body></w:document>`,
  });
}

function xlsx(rows: string[][]): Uint8Array {
  const col = (i: number) => String.fromCharCode(65 + i);
  const cell = (v: string, r: number, c: number) =>
    Number.isNaN(Number(v)) || v === '' ? `<c r="${col(c)}${r}" t="inlineStr"><is><t>${esc(v)}</t></is></c>` : `<c r="${col(c)}${r}"><v>${v}</v></c>`;
  return zip({
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Prices" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows
      .map((r, i) => `<row r="${i + 1}">${r.map((v, c) => cell(v, i + 1, c)).join('')}</row>`)
      .join('')}</sheetData></worksheet>`,
  });
}

const csv = (rows: string[][]) => `${rows.map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\n')}\n`;

mkdirSync(out, { recursive: true });
writeFileSync(
  resolve(out, 'warranty.pdf'),
  pdf([
    'Warranty terms',
    'All hardware carries a two-year warranty from the date of delivery.',
    'Repairs under warranty are free, including shipping both ways.',
  ]),
);
writeFileSync(
  resolve(out, 'onboarding.docx'),
  docx([
    'Onboarding guide',
    'Every new customer gets three training sessions for the whole team, held online on Thursdays.',
    'A dedicated success manager answers questions by email within one business day.',
  ]),
);
writeFileSync(resolve(out, 'price-list.csv'), csv(PRICE_LIST));
writeFileSync(resolve(out, 'price-list.xlsx'), xlsx(PRICE_LIST));
console.log(`knowledge fixtures written to ${out}`);
