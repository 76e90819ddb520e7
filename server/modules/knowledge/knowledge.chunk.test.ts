import { describe, expect, it } from 'vitest';
import { chunkText, ftsQuery } from './knowledge.chunk.js';

describe('chunkText', () => {
  it('packs paragraphs up to the size and never cuts inside a short paragraph', () => {
    const paras = Array.from({ length: 10 }, (_, i) => `Paragraph ${i} ${'word '.repeat(40).trim()}`);
    const chunks = chunkText(paras.join('\n\n'), 800);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(800);
    expect(chunks.join('\n\n')).toBe(paras.join('\n\n'));
  });

  it('splits an oversized paragraph on sentences, and a huge word by length', () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    for (const c of chunkText(long, 200)) expect(c.length).toBeLessThanOrEqual(200);
    for (const c of chunkText('x'.repeat(1000), 300)) expect(c.length).toBeLessThanOrEqual(300);
  });
});

describe('ftsQuery', () => {
  it('quotes every word so no FTS5 operator from client text is interpreted', () => {
    expect(ftsQuery('Price NEAR(refund) OR "x"*')).toBe('"price" OR "near" OR "refund"');
    expect(ftsQuery('a ? !')).toBeNull();
  });
});
