import type { WorkingHours, Weekday } from '../../db/schema/index.js';

const DAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

function fmt(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The last minute read per time zone: hot paths (every rule event) ask for the same minute again and again. */
const lastMinute = new Map<string, { minute: number; y: number; m: number; d: number; h: number; min: number }>();

/** The wall clock in `tz` at instant `ms` (zone offsets are whole minutes, so one minute reads the same everywhere in it). */
export function local(ms: number, tz: string) {
  const minute = Math.floor(ms / 60_000);
  const s = Math.floor(ms / 1000) - minute * 60;
  const hit = lastMinute.get(tz);
  if (hit?.minute === minute) return { y: hit.y, m: hit.m, d: hit.d, h: hit.h, min: hit.min, s };
  const p = Object.fromEntries(
    fmt(tz)
      .formatToParts(minute * 60_000)
      .map((x) => [x.type, x.value]),
  ) as Record<string, string>;
  const v = { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), min: Number(p.minute) };
  lastMinute.set(tz, { minute, ...v });
  return { ...v, s };
}

/** The instant at which the wall clock in `tz` shows y-m-d h:min (DST gaps resolve forward). */
export function instant(y: number, m: number, d: number, h: number, min: number, tz: string): number {
  const target = Date.UTC(y, m - 1, d, h, min);
  let guess = target;
  for (let i = 0; i < 3; i++) {
    const l = local(guess, tz);
    const diff = target - Date.UTC(l.y, l.m - 1, l.d, l.h, l.min);
    if (diff === 0) break;
    guess += diff;
  }
  return guess;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Is `now` inside the schedule (no schedule means always open)? One clock read, nothing searched ahead. */
export function isOpenAt(wh: WorkingHours | null, now: number): boolean {
  if (!wh) return true;
  const today = local(now, wh.timezone);
  const nowMin = today.h * 60 + today.min;
  const weekday = DAYS[new Date(Date.UTC(today.y, today.m - 1, today.d)).getUTCDay()]!;
  return (wh.schedule[weekday] ?? []).some(([start, end]) => nowMin >= minutes(start) && nowMin < minutes(end));
}

/**
 * When the agent may next reply: `now` itself when inside the schedule, else the start of the next
 * open interval (within 8 days), or null for an empty schedule. No schedule means always open.
 */
export function nextOpenAt(wh: WorkingHours | null, now: number): number | null {
  if (!wh) return now;
  const today = local(now, wh.timezone);
  const base = Date.UTC(today.y, today.m - 1, today.d);
  const nowMin = today.h * 60 + today.min;
  for (let offset = 0; offset <= 7; offset++) {
    const day = new Date(base + offset * 86_400_000);
    const weekday = DAYS[day.getUTCDay()]!;
    const intervals = [...(wh.schedule[weekday] ?? [])].sort((a, b) => minutes(a[0]) - minutes(b[0]));
    for (const [start, end] of intervals) {
      const s = minutes(start);
      const e = minutes(end);
      if (offset === 0 && nowMin >= s && nowMin < e) return now;
      if (offset === 0 && nowMin >= s) continue;
      return instant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), Math.floor(s / 60), s % 60, wh.timezone);
    }
  }
  return null;
}

/** Working hours when an account sets none: Monday to Friday, 9:00–18:00, in the account's time zone. */
export function defaultWorkingHours(timezone: string): WorkingHours {
  const day: [string, string][] = [['09:00', '18:00']];
  return { timezone, schedule: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] } };
}

/** Midnight of the day `ms` falls on, on the wall clock of `tz` (the start of "today" for the account). */
export function startOfDay(ms: number, tz: string): number {
  const l = local(ms, tz);
  return instant(l.y, l.m, l.d, 0, 0, tz);
}
