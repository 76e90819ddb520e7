import { describe, expect, it } from 'vitest';
import type { WorkingHours } from '../../db/schema/index.js';
import { isOpenAt, isTimeZone, local, nextOpenAt, startOfDay } from './working-hours.js';

const day = [
  ['09:00', '13:00'],
  ['14:00', '18:00'],
] as [string, string][];
const wh = (tz: string): WorkingHours => ({ timezone: tz, schedule: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] } });

describe('nextOpenAt', () => {
  it('is now inside an interval, the next interval in a break, Monday morning on a weekend', () => {
    const tz = 'America/Sao_Paulo'; // UTC-3, no DST
    expect(nextOpenAt(wh(tz), Date.UTC(2026, 0, 7, 13, 0))).toBe(Date.UTC(2026, 0, 7, 13, 0)); // Wed 10:00 local
    expect(nextOpenAt(wh(tz), Date.UTC(2026, 0, 7, 16, 30))).toBe(Date.UTC(2026, 0, 7, 17, 0)); // 13:30 → 14:00
    expect(nextOpenAt(wh(tz), Date.UTC(2026, 0, 7, 21, 0))).toBe(Date.UTC(2026, 0, 8, 12, 0)); // 18:00 → Thu 09:00
    expect(nextOpenAt(wh(tz), Date.UTC(2026, 0, 10, 15, 0))).toBe(Date.UTC(2026, 0, 12, 12, 0)); // Sat → Mon 09:00
  });

  it('follows daylight saving time in the agent time zone', () => {
    // Europe/Berlin switches to CEST on Sunday 2026-03-29: Monday 09:00 is 07:00 UTC, the Friday before was 08:00 UTC.
    expect(nextOpenAt(wh('Europe/Berlin'), Date.UTC(2026, 2, 28, 12, 0))).toBe(Date.UTC(2026, 2, 30, 7, 0));
    expect(nextOpenAt(wh('Europe/Berlin'), Date.UTC(2026, 2, 27, 7, 30))).toBe(Date.UTC(2026, 2, 27, 8, 0));
  });

  it('no schedule is always open; an empty schedule never opens', () => {
    expect(nextOpenAt(null, 123)).toBe(123);
    expect(nextOpenAt({ timezone: 'UTC', schedule: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } }, 123)).toBeNull();
  });

  it('isOpenAt agrees with nextOpenAt, across a break, a weekend and a DST change', () => {
    for (const tz of ['America/Sao_Paulo', 'Europe/Berlin', 'Asia/Kathmandu']) {
      for (let t = Date.UTC(2026, 2, 26, 0, 0); t < Date.UTC(2026, 2, 31, 0, 0); t += 7 * 60_000 + 13_000) {
        expect(isOpenAt(wh(tz), t), `${tz} ${new Date(t).toISOString()}`).toBe(nextOpenAt(wh(tz), t) === t);
      }
    }
    expect(isOpenAt(null, 5)).toBe(true);
  });

  it('local() reads the same wall clock from its minute cache as from the formatter', () => {
    // Kathmandu is UTC+5:45; Berlin changes its offset at 01:00 UTC on 2026-03-29.
    expect(local(Date.UTC(2026, 0, 7, 13, 0, 42), 'Asia/Kathmandu')).toEqual({ y: 2026, m: 1, d: 7, h: 18, min: 45, s: 42 });
    expect(local(Date.UTC(2026, 0, 7, 13, 0, 59), 'Asia/Kathmandu')).toEqual({ y: 2026, m: 1, d: 7, h: 18, min: 45, s: 59 });
    expect(local(Date.UTC(2026, 2, 29, 0, 59, 59), 'Europe/Berlin')).toEqual({ y: 2026, m: 3, d: 29, h: 1, min: 59, s: 59 });
    expect(local(Date.UTC(2026, 2, 29, 1, 0, 0), 'Europe/Berlin')).toEqual({ y: 2026, m: 3, d: 29, h: 3, min: 0, s: 0 });
  });

  it('accepts IANA zones only', () => {
    expect(isTimeZone('Europe/Madrid')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

describe('startOfDay', () => {
  it("is midnight on the account's wall clock, not UTC's", () => {
    // 2026-12-02 01:30 in Madrid (UTC+1) is 2026-12-02 00:30 UTC: the day began at 2026-12-01 23:00 UTC.
    expect(new Date(startOfDay(Date.UTC(2026, 11, 2, 0, 30), 'Europe/Madrid')).toISOString()).toBe('2026-12-01T23:00:00.000Z');
    // 2026-12-02 22:00 in New York (UTC-5) is 2026-12-03 03:00 UTC: still 2 December there.
    expect(new Date(startOfDay(Date.UTC(2026, 11, 3, 3, 0), 'America/New_York')).toISOString()).toBe('2026-12-02T05:00:00.000Z');
    expect(new Date(startOfDay(Date.UTC(2026, 11, 2, 12, 0), 'UTC')).toISOString()).toBe('2026-12-02T00:00:00.000Z');
  });
});
