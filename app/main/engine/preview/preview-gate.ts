/**
 * Whether a sync may fetch previews: the preference is on (and "Show sender and subject"
 * too: a preview says more than the subject), and the mailbox is not in a storm. A storm
 * counts like the popup policy's (popup-policy.ts): messages found in one mailbox with less
 * than STORM_GAP_MS between syncs; past `burstThreshold` popups turn into a summary, which
 * shows no preview, so the messages beyond it cost no fetch. A 1,000-message burst thus
 * costs at most `burstThreshold` messages' previews, and none when one sync finds it whole.
 * A FETCH that asked for previews and failed (a server that cannot answer BODYSTRUCTURE for
 * some message, a deadline missed) makes the next sync of that mailbox, which asks for the
 * same messages again, go without: the mail is announced, only without its preview.
 */
import type { NotificationSettings } from '../../../common/settings-schema.js';
import type { Clock } from '../base/index.js';
import { STORM_GAP_MS } from '../popups/index.js';

interface Storm {
  found: number;
  lastAt: number;
  /** Set when a fetch with previews failed: the next sync that finds mail reads none. */
  skipNext?: boolean;
}

/** Decides, per sync, whether previews are fetched; owned by the supervisor. */
export class PreviewGate {
  private readonly storms = new Map<string, Storm>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: () => NotificationSettings,
  ) {}

  /** True when previews are wanted at all (the preference, under showSubject). */
  get enabled(): boolean {
    const { preview, showSubject } = this.settings();
    return preview && showSubject;
  }

  /**
   * Counts `found` new messages of a sync of `mailbox` into its storm; true when all of them
   * may have a preview.
   */
  admit(account: string, mailbox: string, found: number): boolean {
    if (found === 0) return false;
    const key = keyOf(account, mailbox);
    const now = this.clock.now();
    let storm = this.storms.get(key);
    const skip = storm?.skipNext === true;
    if (!storm || now - storm.lastAt > STORM_GAP_MS) storm = { found: 0, lastAt: now };
    storm.found += found;
    storm.lastAt = now;
    storm.skipNext = false;
    this.storms.set(key, storm);
    return !skip && this.enabled && storm.found <= this.settings().burstThreshold;
  }

  /** A sync of `mailbox` that read previews failed in its FETCH: the next one reads none. */
  failed(account: string, mailbox: string): void {
    const key = keyOf(account, mailbox);
    const storm = this.storms.get(key) ?? { found: 0, lastAt: this.clock.now() };
    storm.skipNext = true;
    this.storms.set(key, storm);
  }
}

function keyOf(account: string, mailbox: string): string {
  return `${account}\u0000${mailbox}`;
}
