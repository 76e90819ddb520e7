/** Dates in the user's language; the backend sends ISO 8601 strings. */
export function formatDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  } catch {
    return d.toISOString();
  }
}

export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A positive integer from a text input, or null. */
export function parseId(text: string): number | null {
  const n = Number(text.trim());
  return Number.isInteger(n) && n > 0 ? n : null;
}

type Schedule = Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [string, string][]>;
const DAY_ORDER = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * A week's schedule in one line, days named in the user's language: "Mon–Fri 09:00–18:00, Sat 10:00–14:00".
 * Consecutive days with the same hours are one range; an empty string means no day has hours.
 */
export function scheduleSummary(schedule: Schedule, lang: string): string {
  let dayName: (i: number) => string;
  try {
    const f = new Intl.DateTimeFormat(lang, { weekday: 'short', timeZone: 'UTC' });
    // 5 January 2026 was a Monday.
    dayName = (i) => f.format(Date.UTC(2026, 0, 5 + i));
  } catch {
    dayName = (i) => DAY_ORDER[i]!;
  }
  const hours = DAY_ORDER.map((d) => (schedule[d] ?? []).map(([a, b]) => `${a}–${b}`).join(', '));
  const parts: string[] = [];
  for (let i = 0; i < 7; i++) {
    if (!hours[i]) continue;
    let j = i;
    while (j + 1 < 7 && hours[j + 1] === hours[i]) j++;
    parts.push(`${j > i ? `${dayName(i)}–${dayName(j)}` : dayName(i)} ${hours[i]}`);
    i = j;
  }
  return parts.join(', ');
}
