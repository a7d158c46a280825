/**
 * How new mail becomes popups, for the desktop notifiers only (the stream never waits on
 * this): the rules decide which messages may pop up; a storm in one mailbox shows its first
 * `burstThreshold` messages one by one, and the message that crosses the threshold turns
 * them into one summary at that moment, which later messages of the storm update in place
 * (at most one update per UPDATE_MS, so a thousand messages make a handful of popups).
 * While paused or in quiet hours nothing pops up (a VIP still does in quiet hours, not in a
 * manual pause), and the end of the hold shows one catch-up notification with the counts.
 */
import type { NewMessage } from '../base/index.js';
import type { PopupDecision } from './notification-rules.js';
import type { Clock } from '../base/index.js';
import { senderDisplayName } from '../base/index.js';

/** What one popup shows. */
export type Popup =
  | { kind: 'message'; message: NewMessage }
  | { kind: 'summary'; account: string; mailbox: string; count: number; senders: string[] }
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
}

/** A mailbox's storm ends after this long without a new message in it. */
export const STORM_GAP_MS = 5_000;
/** The longest a pending catch-up check waits before it looks at the wall clock again. */
export const HOLD_CHECK_MAX_MS = 60_000;
/** A storm's summary is updated at most this often (and so never later than this). */
export const UPDATE_MS = 100;

interface Storm {
  count: number;
  lastAt: number;
  singles: number[];
  summaryId: number | null;
  senders: string[];
  cancelUpdate: (() => void) | undefined;
}

/** Turns a stream of new messages into popups. */
export class PopupPolicy {
  private nextId = 1;
  private readonly storms = new Map<string, Storm>();
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
        count: 0,
        lastAt: now,
        singles: [],
        summaryId: null,
        senders: [],
        cancelUpdate: undefined,
      };
      this.storms.set(key, storm);
    }
    storm.count++;
    storm.lastAt = now;
    const sender = senderDisplayName(message.from);
    if (sender && !storm.senders.includes(sender)) storm.senders.push(sender);
    if (storm.count <= this.options.burstThreshold()) {
      storm.singles.push(this.emit({ kind: 'message', message }, [], true));
    } else if (storm.summaryId === null) {
      storm.summaryId = this.emit(summaryOf(message, storm), storm.singles.splice(0), true);
    } else {
      storm.cancelUpdate ??= this.options.clock.setTimeout(() => {
        const current = storm;
        current.cancelUpdate = undefined;
        const replaced = current.summaryId === null ? [] : [current.summaryId];
        current.summaryId = this.emit(summaryOf(message, current), replaced, false);
      }, UPDATE_MS);
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

function summaryOf(message: NewMessage, storm: Storm): Popup {
  return {
    kind: 'summary',
    account: message.account,
    mailbox: message.mailbox,
    count: storm.count,
    senders: [...storm.senders],
  };
}
