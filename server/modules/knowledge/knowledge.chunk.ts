/**
 * Split text into ~`size`-character chunks on paragraph boundaries; a paragraph longer than that is
 * split on sentences, and a sentence longer than that on words.
 */
export function chunkText(text: string, size = 800): string[] {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const pieces = paragraphs.flatMap((p) => (p.length <= size ? [p] : splitLong(p, size)));
  const chunks: string[] = [];
  let cur = '';
  for (const p of pieces) {
    if (cur && cur.length + 2 + p.length > size) {
      chunks.push(cur);
      cur = '';
    }
    cur = cur ? `${cur}\n\n${p}` : p;
  }
  if (cur) chunks.push(cur);
  return chunks;
}

function splitLong(p: string, size: number): string[] {
  const sentences = p.match(/[^.!?…]+(?:[.!?…]+|$)\s*/g) ?? [p];
  const out: string[] = [];
  let cur = '';
  for (const raw of sentences) {
    const s = raw.trim();
    if (!s) continue;
    const parts = s.length <= size ? [s] : splitWords(s, size);
    for (const part of parts) {
      if (cur && cur.length + 1 + part.length > size) {
        out.push(cur);
        cur = '';
      }
      cur = cur ? `${cur} ${part}` : part;
    }
  }
  if (cur) out.push(cur);
  return out;
}

function splitWords(s: string, size: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of s.split(/\s+/)) {
    for (let i = 0; i < w.length; i += size) {
      const piece = w.slice(i, i + size);
      if (cur && cur.length + 1 + piece.length > size) {
        out.push(cur);
        cur = '';
      }
      cur = cur ? `${cur} ${piece}` : piece;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** An FTS5 query from free text: every word quoted (so no operator in client text is interpreted), OR-ed. */
export function ftsQuery(text: string, maxTerms = 32): string | null {
  const words = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []).filter((w) => !STOP.has(w)))].slice(0, maxTerms);
  return words.length ? words.map((w) => `"${w}"`).join(' OR ') : null;
}

const STOP = new Set(
  'or is it to of in on at be we me my an if so do the and for are but not you your with have this that was from they will what when can all any how our out has his her she him its who did yes get got may use let too very just also than then them there their about would could should into more some such only over like de la el en los las del que por con una para es un se no lo al le os as do da em um uma com por para'.split(
    ' ',
  ),
);
