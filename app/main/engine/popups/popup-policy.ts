/**
 * How new mail becomes popups, for the desktop notifiers only (the stream never waits on
 * this): the rules decide which messages may pop up; a storm in one mailbox shows its first
 * `burstThreshold` messages one by one, and the message that crosses the threshold turns
 * them into one summary at that moment, which later messages of the storm update in place
 * (at most one update per UPDATE_MS, so a thousand messages make a handful of popups).
 * While paused or in quiet hours nothing pops up (a VIP still does in quiet hours, not in a
 * manual pause), and the end of the hold shows one catch-up notification with the counts.
 * A message read or gone elsewhere is withdrawn (issue 24): its popup closed, a summary that
 * counts it shown one less, then closed at zero.
 */
import type { NewMessage } from '../base/index.js';
import type { PopupDecision } from './notification-rules.js';
import type { Clock } from '../base/index.js';
import { senderDisplayName } from '../base/index.js';

/** What one popup shows. */
export type Popup =
  | { kind: 'message'; message: NewMessage }
  | {
      kind: 'summary';
      account: string;
      mailbox: string;
      count: number;
      senders: string[];
      /** The messages it counts, for its "Mark all as read". */
      messages: MessageKey[];
    }
  | { kind: 'catch-up'; counts: Array<{ account: string; count: number }> };

/** One popup to show, and the ones it takes the place of (to be closed as it shows). */
export interface PopupEvent {
  id: number;
  replaces: number[];
  popup: Popup;
  /** Only a storm's first sound is heard: updates and catch-ups are silent. */
  sound: boolean;
}

/** Why popups wait now, and until when (null: until told otherwise). */
export interface PopupHold {
  reason: 'pause' | 'quiet';
  until: Date | null;
}

/** What the policy needs from its notifier. */
export interface PopupPolicyOptions {
  clock: Clock;
  burstThreshold(): number;
  decide(message: NewMessage): PopupDecision;
  hold(now: Date): PopupHold | null;
  show(event: PopupEvent): void;
  /** Takes a popup it showed off the screen (its message was read or went elsewhere). */
  close?(id: number): void;
}

/** Which message a popup shows or counts: as the engine addresses it. */
export type MessageKey = Pick<NewMessage, 'account' | 'mailbox' | 'uidValidity' | 'uid'>;

/** How many summaries stay followed after their storm ended (while they may be on screen). */
export const FOLLOWED_SUMMARIES = 50;
/** How many single-message popups stay followed, the newest. */
export const FOLLOWED_SINGLES = 200;

/** A mailbox's storm ends after this long without a new message in it. */
export const STORM_GAP_MS = 5_000;
/** The longest a pending catch-up check waits before it looks at the wall clock again. */
export const HOLD_CHECK_MAX_MS = 60_000;
/** A storm's summary is updated at most this often (and so never later than this). */
export const UPDATE_MS = 100;

interface Storm {
  account: string;
  mailbox: string;
  count: number;
  lastAt: number;
  singles: number[];
  summaryId: number | null;
  // The storm's messages still counted, with each one's sender (for the summary's names).
  messages: Map<string, { key: MessageKey; sender: string }>;
  cancelUpdate: (() => void) | undefined;
}

/** Turns a stream of new messages into popups. */
export class PopupPolicy {
  private nextId = 1;
  private readonly storms = new Map<string, Storm>();
  // A single message's popup by its message; a summary's storm by its popup id (storms that
  // ended stay here while their summary may be on screen, the newest FOLLOWED_SUMMARIES).
  private readonly singles = new Map<string, number>();
  private readonly summaries = new Map<number, Storm>();
  private readonly held = new Map<string, number>();
  private holdCheck: { at: number; cancel: () => void } | undefined;

  constructor(private readonly options: PopupPolicyOptions) {}

  /** One new message, at once. */
  announce(message: NewMessage): void {
    const decision = this.options.decide(message);
    if (decision === 'count-only') return;
    const now = this.options.clock.now();
    const hold = this.options.hold(new Date(now));
    if (hold && !(decision === 'vip' && hold.reason === 'quiet')) {
      this.held.set(message.account, (this.held.get(message.account) ?? 0) + 1);
      if (hold.until) this.checkHoldAt(hold.until.getTime());
      return;
    }
    // The hold is over but its timer has not fired (it slept with the machine, see
    // checkHoldAt): the catch-up comes first, before the new mail.
    if (!hold && this.held.size > 0) this.recheck();
    this.addToStorm(message, now);
  }

  /** Looks at the hold again (the user paused or resumed): a hold that ended shows its catch-up. */
  recheck(): void {
    this.holdCheck?.cancel();
    this.holdCheck = undefined;
    if (this.held.size === 0) return;
    const hold = this.options.hold(new Date(this.options.clock.now()));
    if (hold) {
      if (hold.until) this.checkHoldAt(hold.until.getTime());
      return;
    }
    const counts = [...this.held].map(([account, count]) => ({ account, count }));
    this.held.clear();
    this.emit({ kind: 'catch-up', counts }, [], false);
  }

  /**
   * A message that was announced is no longer new (read, or gone, on any device): its popup
   * is withdrawn; a summary that counts it is shown again one less, and withdrawn at zero.
   */
  withdraw(message: MessageKey): void {
    const key = keyOf(message);
    const single = this.singles.get(key);
    if (single !== undefined) {
      this.singles.delete(key);
      this.options.close?.(single);
    }
    for (const storm of new Set([...this.storms.values(), ...this.summaries.values()])) {
      if (!storm.messages.delete(key)) continue;
      storm.count = Math.max(0, storm.count - 1);
      if (single !== undefined) storm.singles = storm.singles.filter((id) => id !== single);
      if (storm.summaryId === null) continue;
      const shown = storm.summaryId;
      this.summaries.delete(shown);
      if (storm.count === 0) {
        storm.cancelUpdate?.();
        storm.cancelUpdate = undefined;
        storm.summaryId = null;
        this.options.close?.(shown);
      } else {
        this.showSummary(storm, [shown]);
      }
    }
  }

  /** Stops every timer (the notifier is going away). */
  close(): void {
    this.holdCheck?.cancel();
    this.holdCheck = undefined;
    for (const storm of this.storms.values()) storm.cancelUpdate?.();
    this.storms.clear();
  }

  private addToStorm(message: NewMessage, now: number): void {
    const key = `${message.account}\u0000${message.mailbox}`;
    let storm = this.storms.get(key);
    if (!storm || now - storm.lastAt > STORM_GAP_MS) {
      storm?.cancelUpdate?.();
      storm = {
        account: message.account,
        mailbox: message.mailbox,
        count: 0,
        lastAt: now,
        singles: [],
        summaryId: null,
        messages: new Map(),
        cancelUpdate: undefined,
      };
      this.storms.set(key, storm);
    }
    storm.count++;
    storm.lastAt = now;
    const messageKey = keyOf(message);
    const { account, mailbox, uidValidity, uid } = message;
    storm.messages.set(messageKey, {
      key: { account, mailbox, uidValidity, uid },
      sender: senderDisplayName(message.from),
    });
    if (storm.count <= this.options.burstThreshold()) {
      const id = this.emit({ kind: 'message', message }, [], true);
      storm.singles.push(id);
      this.singles.set(messageKey, id);
      // The oldest are no longer followed: by now they have left the screen.
      if (this.singles.size > FOLLOWED_SINGLES) {
        const [oldest] = this.singles.keys();
        if (oldest !== undefined) this.singles.delete(oldest);
      }
    } else if (storm.summaryId === null) {
      for (const single of storm.messages.keys()) this.singles.delete(single);
      this.showSummary(storm, storm.singles.splice(0), true);
    } else {
      storm.cancelUpdate ??= this.options.clock.setTimeout(() => {
        const current = storm;
        current.cancelUpdate = undefined;
        const replaced = current.summaryId === null ? [] : [current.summaryId];
        if (current.summaryId !== null) this.summaries.delete(current.summaryId);
        this.showSummary(current, replaced);
      }, UPDATE_MS);
    }
  }

  /** Shows `storm`'s summary in the place of `replaces`, and follows it. */
  private showSummary(storm: Storm, replaces: number[], sound = false): void {
    const counted = [...storm.messages.values()];
    const senders = [...new Set(counted.map((entry) => entry.sender).filter(Boolean))];
    const popup: Popup = {
      kind: 'summary',
      account: storm.account,
      mailbox: storm.mailbox,
      count: storm.count,
      senders,
      messages: counted.map((entry) => entry.key),
    };
    storm.summaryId = this.emit(popup, replaces, sound);
    this.summaries.set(storm.summaryId, storm);
    // The oldest summaries are no longer followed: by now they have left the screen.
    for (const id of this.summaries.keys()) {
      if (this.summaries.size <= FOLLOWED_SUMMARIES) break;
      this.summaries.delete(id);
    }
  }

  // Node's timers run on a clock that stops while the machine sleeps: a check set for 07:00
  // at 23:00 would fire hours late after a night with the lid closed. So no check waits
  // longer than HOLD_CHECK_MAX_MS; each looks at the wall clock again.
  private checkHoldAt(at: number): void {
    if (this.holdCheck && this.holdCheck.at <= at) return;
    this.holdCheck?.cancel();
    const wait = Math.min(HOLD_CHECK_MAX_MS, Math.max(0, at - this.options.clock.now()));
    this.holdCheck = { at, cancel: this.options.clock.setTimeout(() => this.recheck(), wait) };
  }

  private emit(popup: Popup, replaces: number[], sound: boolean): number {
    const id = this.nextId++;
    this.options.show({ id, replaces, popup, sound });
    return id;
  }
}

function keyOf(message: MessageKey): string {
  return [message.account, message.mailbox, message.uidValidity, message.uid].join('\u0000');
}
