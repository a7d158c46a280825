import { describe, expect, it } from 'vitest';
import { isQuiet, minutesOf, quietUntil } from '../../../app/main/engine/popups/quiet-hours.js';

// Local times: 2026-12-04 is a Friday (day 5).
const at = (day: number, time: string) => {
  const [h, m] = time.split(':').map(Number);
  return new Date(2026, 11, day, h, m);
};
const weekdayNights = { days: [1, 2, 3, 4, 5], from: '22:00', to: '07:00' };

describe('quiet hours', () => {
  it('reads times of day and refuses anything else', () => {
    expect(minutesOf('07:30')).toBe(450);
    expect(() => minutesOf('7:30')).toThrow(/not a time of day/);
  });

  it('is quiet inside a period and says when it ends', () => {
    const lunch = { days: [5], from: '12:00', to: '13:00' };
    expect(quietUntil([lunch], at(4, '12:30'))).toEqual(at(4, '13:00'));
    expect(quietUntil([lunch], at(4, '13:00'))).toBeNull();
    expect(quietUntil([lunch], at(4, '11:59'))).toBeNull();
    // Thursday is not one of its days.
    expect(isQuiet([lunch], at(3, '12:30'))).toBe(false);
  });

  it('carries a night across midnight, counted on the day it starts', () => {
    // Friday 22:00 → Saturday 07:00.
    expect(quietUntil([weekdayNights], at(4, '23:00'))).toEqual(at(5, '07:00'));
    expect(quietUntil([weekdayNights], at(5, '06:59'))).toEqual(at(5, '07:00'));
    // Saturday night is not a weekday night; Sunday morning is not the end of one.
    expect(isQuiet([weekdayNights], at(5, '23:00'))).toBe(false);
    expect(isQuiet([weekdayNights], at(6, '06:00'))).toBe(false);
    // Sunday night is not listed, so Monday 06:00 is not quiet; Monday night makes Tuesday's.
    expect(isQuiet([weekdayNights], at(7, '06:00'))).toBe(false);
    expect(isQuiet([weekdayNights], at(8, '06:00'))).toBe(true);
  });

  it('joins periods that follow on each other into one quiet time', () => {
    const morning = { days: [6], from: '07:00', to: '09:00' };
    expect(quietUntil([weekdayNights, morning], at(4, '23:00'))).toEqual(at(5, '09:00'));
  });

  it('treats an empty period and an empty schedule as never quiet', () => {
    expect(isQuiet([{ days: [5], from: '10:00', to: '10:00' }], at(4, '10:00'))).toBe(false);
    expect(isQuiet([], at(4, '10:00'))).toBe(false);
  });
});
