/** "Pause notifications": until when, for each choice in the tray menu. Pure. */

/** The tray's pause choices. */
export type PauseChoice = 'hour' | 'tomorrow' | 'resume';

/** The hour at which "until tomorrow" ends, local time. */
export const TOMORROW_HOUR = 8;

/** When a pause chosen at `now` ends, or null for "resume". */
export function pauseUntil(choice: PauseChoice, now: Date): Date | null {
  if (choice === 'resume') return null;
  if (choice === 'hour') return new Date(now.getTime() + 60 * 60 * 1000);
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(TOMORROW_HOUR, 0, 0, 0);
  return tomorrow;
}

/** Whether notifications are paused at `now`. */
export function isPaused(until: Date | null, now: Date): boolean {
  return until !== null && now.getTime() < until.getTime();
}
