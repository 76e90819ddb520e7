import type { WorkingHours } from '../../../db/schema/index.js';
import { instant, local, nextOpenAt } from '../../lib/working-hours.js';
import type { SequenceDefinition, Step } from './sequences.schemas.js';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: DAY_MS } as const;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Steps that write to the client: they wait for the send window. */
export const CLIENT_FACING: ReadonlySet<Step['type']> = new Set(['send_email', 'agent_followup']);

/** The day `offset` days after the wall-clock date of `now` in `tz`, as y-m-d and weekday. */
function dayAfter(now: number, tz: string, offset: number) {
  const l = local(now, tz);
  const d = new Date(Date.UTC(l.y, l.m - 1, l.d) + offset * DAY_MS);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), weekday: WEEKDAYS[d.getUTCDay()]! };
}

/** The next instant after `now` when the wall clock in `tz` shows `time` on `weekday` ('any' = any day). */
export function nextWeekdayAt(now: number, weekday: string, time: string, tz: string): number {
  const min = minutesOf(time);
  for (let offset = 0; offset <= 8; offset++) {
    const day = dayAfter(now, tz, offset);
    if (weekday !== 'any' && day.weekday !== weekday) continue;
    const at = instant(day.y, day.m, day.d, Math.floor(min / 60), min % 60, tz);
    if (at > now) return at;
  }
  return now + 7 * DAY_MS; // unreachable with a valid weekday; a safe fallback
}

/** When a wait step ends. */
export function waitEnd(step: Extract<Step, { type: 'wait' | 'wait_until' }>, now: number, tz: string): number {
  if (step.type === 'wait') return now + step.amount * UNIT_MS[step.unit];
  return nextWeekdayAt(now, step.weekday, step.time, tz);
}

/** Inside quiet hours [from, to) (the window may wrap midnight)? Then when they end. */
function quietUntil(now: number, quiet: { from: string; to: string }, tz: string): number | null {
  const l = local(now, tz);
  const cur = l.h * 60 + l.min;
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return null;
  const inside = from < to ? cur >= from && cur < to : cur >= from || cur < to;
  if (!inside) return null;
  return nextWeekdayAt(now, 'any', quiet.to, tz);
}

/**
 * The earliest instant at or after `now` when a client-facing step may run: outside quiet hours and,
 * when asked, inside working hours. `now` itself when it may run at once.
 */
export function sendAllowedAt(window: SequenceDefinition['sendWindow'], tz: string, hours: WorkingHours | null, now: number): number {
  let t = now;
  for (let i = 0; i < 16; i++) {
    let moved = false;
    if (window.quietHours) {
      const until = quietUntil(t, window.quietHours, tz);
      if (until !== null) {
        t = until;
        moved = true;
      }
    }
    if (window.workingHoursOnly && hours) {
      const open = nextOpenAt({ ...hours, timezone: tz }, t);
      if (open === null) return t; // an empty schedule: never open, do not hold the step forever
      if (open !== t) {
        t = open;
        moved = true;
      }
    }
    if (!moved) return t;
  }
  return t;
}

/** WhatsApp lets a business write freely only within 24 hours of the client's last message. */
export const WHATSAPP_WINDOW_MS = DAY_MS;
export const isWhatsApp = (channel: string) => /whats|waba|amocrmwa/i.test(channel);
