/**
 * Quiet hours: a weekly schedule of periods (days of the week, from–to in local time) during
 * which popups and sounds wait. A period may cross midnight ("22:00–07:00" on Friday ends
 * Saturday 07:00): its day is the day it starts. Pure: the time is passed in.
 */

/** One quiet period: on `days` (0 Sunday … 6 Saturday), from `from` to `to` ("HH:MM"). */
export interface QuietPeriod {
  days: number[];
  from: string;
  to: string;
}

const DAY_MINUTES = 24 * 60;

/** "07:30" → 450 minutes after midnight. */
export function minutesOf(time: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) throw new Error(`not a time of day: ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * When the quiet time that `now` falls in ends (the latest end, should periods overlap or
 * follow on each other), or null when `now` is not quiet.
 */
export function quietUntil(periods: readonly QuietPeriod[], now: Date): Date | null {
  let until: Date | null = null;
  let probe = now;
  // Periods that touch (Mon 22:00–07:00, Tue 07:00–09:00) make one quiet time: follow them.
  for (let hops = 0; hops < 16; hops++) {
    const end = endOfPeriodAt(periods, probe);
    if (!end || (until && end.getTime() <= until.getTime())) break;
    until = end;
    probe = end;
  }
  return until;
}

/** Whether `now` is in quiet hours. */
export function isQuiet(periods: readonly QuietPeriod[], now: Date): boolean {
  return quietUntil(periods, now) !== null;
}

// The latest end of a period that contains `at`, looking at periods that started today or
// yesterday (a period crossing midnight).
function endOfPeriodAt(periods: readonly QuietPeriod[], at: Date): Date | null {
  let latest: Date | null = null;
  for (const period of periods) {
    const from = minutesOf(period.from);
    const to = minutesOf(period.to);
    if (from === to) continue;
    const length = (to - from + DAY_MINUTES) % DAY_MINUTES;
    for (const daysBack of [0, 1]) {
      const start = new Date(at);
      start.setDate(start.getDate() - daysBack);
      if (!period.days.includes(start.getDay())) continue;
      start.setHours(Math.floor(from / 60), from % 60, 0, 0);
      const end = new Date(start);
      // Through setMinutes, not milliseconds: a night that crosses a DST change still ends at
      // the clock time the user wrote.
      end.setMinutes(end.getMinutes() + length);
      if (start <= at && at < end && (!latest || end > latest)) latest = end;
    }
  }
  return latest;
}
