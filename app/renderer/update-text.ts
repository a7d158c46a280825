/** The About section's words for how the app's updates stand, and which buttons apply. */
import type { UpdateStatus } from '../common/ipc-contract.js';

/** What the About section shows for one update status. */
export interface UpdateText {
  text: string;
  /** `ok`: an update waits; `failed`: the last check failed. */
  tone: '' | 'ok' | 'failed';
  /** "Check for updates" does something (everywhere but `off`). */
  canCheck: boolean;
  /** "Restart to update" shows. */
  canRestart: boolean;
}

/** Says `status` in words; `formatTime` writes an ISO time the reader's way. */
export function describeUpdate(
  status: UpdateStatus,
  formatTime: (iso: string) => string,
): UpdateText {
  const plain = (text: string): UpdateText => ({
    text,
    tone: '',
    canCheck: true,
    canRestart: false,
  });
  switch (status.state) {
    case 'off':
      return { ...plain(`Updates are off (${status.reason}).`), canCheck: false };
    case 'idle':
      return plain(
        status.checkedAt
          ? `Tidings is up to date. Last checked ${formatTime(status.checkedAt)}.`
          : 'Never checked.',
      );
    case 'checking':
      return plain('Checking for updates…');
    case 'downloading':
      return plain(
        `Downloading version ${status.version}…` +
          (status.percent === null ? '' : ` ${status.percent}%`),
      );
    case 'ready':
      return {
        text: `Version ${status.version} is ready. It installs when you restart or quit Tidings.`,
        tone: 'ok',
        canCheck: true,
        canRestart: true,
      };
    case 'error':
      return {
        ...plain(
          `Could not check for updates: ${status.message} (${formatTime(status.checkedAt)}).`,
        ),
        tone: 'failed',
      };
  }
}

/** An ISO time as the reader's locale writes a date and time ("12 May 2026, 10:02"). */
export function formatLocalTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
    time,
  );
}
