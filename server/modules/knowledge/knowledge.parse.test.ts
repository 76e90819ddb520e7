import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ParseError, parseFile, tableLines, zipDeclaredSize } from './knowledge.parse.js';

const fixture = (name: string) => readFileSync(resolve(import.meta.dirname, '../../../test/fixtures/knowledge', name));

describe('tableLines', () => {
  it('writes each row with the header names, skips empty cells and rows, and names a header-less column', () => {
    expect(
      tableLines([
        ['Product', 'Price', ''],
        ['Blue Widget', 19.9, 'note'],
        ['', '', ''],
        ['Red  Gadget\n', null, undefined],
      ]),
    ).toEqual(['Product: Blue Widget; Price: 19.9; Column 3: note', 'Product: Red Gadget']);
    expect(tableLines([])).toEqual([]);
  });
});

describe('zip guard', () => {
  it("reads the declared size of a DOCX's parts and refuses one that unpacks past the cap before inflating it", async () => {
    const docx = fixture('onboarding.docx');
    const declared = zipDeclaredSize(docx)!;
    expect(declared).toBeGreaterThan(docx.length); // the XML parts are larger than the zip
    await expect(parseFile('docx', docx, { budgetMs: 10_000, maxChars: 100_000, maxUnzippedBytes: declared - 1 })).rejects.toThrow(
      new ParseError('unzipped', 'the file unpacks to more than 0 MB', { mb: 0 }),
    );
    const bomb = zipSync({ 'word/document.xml': strToU8('a'.repeat(2_000_000)) }, { level: 9 });
    expect(bomb.length).toBeLessThan(10_000);
    expect(zipDeclaredSize(bomb)).toBe(2_000_000);
    await expect(parseFile('docx', bomb, { budgetMs: 10_000, maxChars: 100_000, maxUnzippedBytes: 1024 * 1024 })).rejects.toMatchObject({ reason: 'unzipped' });
    expect(zipDeclaredSize(strToU8('PK\u0003\u0004 but no directory'))).toBeNull();
  });
});
