/**
 * How much a person changed a text: the Levenshtein distance over the longer length, 0 (unchanged) to 1.
 * Both texts are cut to `cap` characters first, so the O(n·m) work stays bounded (2,000² steps at most)
 * whatever a client or a manager pasted; two rows of memory.
 */
export function editRatio(a: string, b: string, cap = 2000): number {
  const x = a.trim().slice(0, cap);
  const y = b.trim().slice(0, cap);
  if (x === y) return 0;
  if (!x.length || !y.length) return 1;
  let prev = new Array<number>(y.length + 1);
  let cur = new Array<number>(y.length + 1);
  for (let j = 0; j <= y.length; j++) prev[j] = j;
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    const xi = x.charCodeAt(i - 1);
    for (let j = 1; j <= y.length; j++) {
      const cost = xi === y.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return Math.round((prev[y.length]! / Math.max(x.length, y.length)) * 1000) / 1000;
}
