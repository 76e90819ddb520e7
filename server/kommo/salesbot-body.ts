/** The body of a Salesbot continue (`POST {return_url}`), in Kommo's format. */
/** Salesbot shows at most 10 handlers of ≤ 80 characters (docs/kommo.md §5); the whole reply also goes in `data.reply`. */
export function salesbotBody(text: string) {
  const parts: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let i = 0; i < word.length; i += 80) {
      const w = word.slice(i, i + 80);
      if (cur && cur.length + 1 + w.length > 80) {
        parts.push(cur);
        cur = '';
      }
      cur = cur ? `${cur} ${w}` : w;
    }
  }
  if (cur) parts.push(cur);
  const shown = parts.length <= 10;
  return {
    data: { reply: text, shown },
    execute_handlers: shown ? parts.map((value) => ({ handler: 'show', params: { type: 'text', value } })) : [],
  };
}
