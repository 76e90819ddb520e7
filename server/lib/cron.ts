import { instant, local } from './working-hours.js';

/**
 * Five-field cron (minute hour day-of-month month day-of-week), in a time zone. Fields take `*`, numbers,
 * lists (`1,15`), ranges (`9-17`) and steps (`*\/15`, `9-17/2`); day-of-week 0 and 7 are Sunday. As in
 * classic cron, when both day fields are restricted a day matches either.
 */
export interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  anyDay: boolean;
  anyWeekday: boolean;
}

const FIELDS: [name: string, min: number, max: number][] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];

export class CronError extends Error {}

function field(text: string, [name, min, max]: [string, number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new CronError(`${name}: "${part}" is not a number, range, list or step`);
    const step = m[2] ? Number(m[2]) : 1;
    if (step < 1) throw new CronError(`${name}: the step must be at least 1`);
    const [lo, hi] = m[1] === '*' ? [min, max] : m[1]!.includes('-') ? m[1]!.split('-').map(Number) : [Number(m[1]), m[2] ? max : Number(m[1])];
    if (lo! < min || hi! > max || lo! > hi!) throw new CronError(`${name}: ${part} is outside ${min}-${max}`);
    for (let v = lo!; v <= hi!; v += step) out.add(name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}

export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new CronError('expected five fields: minute hour day-of-month month day-of-week');
  const [mi, h, d, mo, w] = parts.map((p, i) => field(p, FIELDS[i]!));
  return { minutes: mi!, hours: h!, days: d!, months: mo!, weekdays: w!, anyDay: parts[2] === '*', anyWeekday: parts[4] === '*' };
}

/** The first instant strictly after `after` that matches, within about 400 days; null when none does. */
export function nextCronAt(cron: Cron, tz: string, after: number): number | null {
  const start = local(after, tz);
  const base = Date.UTC(start.y, start.m - 1, start.d);
  const mins = [...cron.minutes].sort((a, b) => a - b);
  const hours = [...cron.hours].sort((a, b) => a - b);
  for (let offset = 0; offset <= 400; offset++) {
    const day = new Date(base + offset * 86_400_000);
    const y = day.getUTCFullYear();
    const mo = day.getUTCMonth() + 1;
    const d = day.getUTCDate();
    if (!cron.months.has(mo)) continue;
    const domOk = cron.days.has(d);
    const dowOk = cron.weekdays.has(day.getUTCDay());
    const dayOk = cron.anyDay && cron.anyWeekday ? true : cron.anyDay ? dowOk : cron.anyWeekday ? domOk : domOk || dowOk;
    if (!dayOk) continue;
    for (const h of hours) {
      for (const m of mins) {
        const at = instant(y, mo, d, h, m, tz);
        if (at > after) return at;
      }
    }
  }
  return null;
}
