/**
 * The popup policy of a running app, from its settings: the rules of each account, quiet
 * hours from the notification preferences, and (in the desktop app) the tray's pause. Both
 * popup notifiers, Electron's and `tidings watch`'s, are built on this one.
 */
import {
  weekdays,
  type AccountSettings,
  type NotificationSettings,
  type QuietPeriodSettings,
} from '../../../common/settings-schema.js';
import { decidePopup } from './notification-rules.js';
import { PopupPolicy, type PopupEvent, type PopupHold } from './popup-policy.js';
import type { Clock } from '../base/index.js';
import { quietUntil, type QuietPeriod } from './quiet-hours.js';

/** What the policy reads, each time it decides (settings change while the app runs). */
export interface PopupSettingsSource {
  notifications(): NotificationSettings;
  account(id: string): AccountSettings | undefined;
  /** The tray's "Pause notifications": until when, or null when not paused. */
  pausedUntil?: () => Date | null;
}

/**
 * A popup policy that follows the settings; `show` puts each popup on screen, `close` takes
 * one off (a withdrawn message's).
 */
export function createPopupPolicy(
  source: PopupSettingsSource,
  clock: Clock,
  show: (event: PopupEvent) => void,
  close?: (id: number) => void,
): PopupPolicy {
  return new PopupPolicy({
    clock,
    show,
    ...(close ? { close } : {}),
    burstThreshold: () => source.notifications().burstThreshold,
    decide: (message) => {
      const notifications = source.notifications();
      const account = source.account(message.account);
      return decidePopup(
        {
          mailbox: message.mailbox,
          fromAddress: message.fromAddress ?? null,
          listId: message.listId ?? null,
        },
        {
          vip: notifications.vip ?? [],
          muteSenders: notifications.muteSenders ?? [],
          muteLists: notifications.muteLists ?? [],
        },
        { popups: account?.popups ?? true, quietMailboxes: account?.quietMailboxes ?? [] },
      );
    },
    hold: (now) => currentHold(source, now),
  });
}

/** Why popups wait at `now`: the tray's pause first, then quiet hours. */
export function currentHold(source: PopupSettingsSource, now: Date): PopupHold | null {
  const paused = source.pausedUntil?.();
  if (paused && now < paused) return { reason: 'pause', until: paused };
  const until = quietUntil(toQuietPeriods(source.notifications().quietHours ?? []), now);
  return until ? { reason: 'quiet', until } : null;
}

/** Quiet periods as the schedule module reads them: days 0 (Sunday) … 6. */
export function toQuietPeriods(periods: readonly QuietPeriodSettings[]): QuietPeriod[] {
  return periods.map(({ days, from, to }) => ({
    days: days.map((day) => weekdays.indexOf(day)),
    from,
    to,
  }));
}
