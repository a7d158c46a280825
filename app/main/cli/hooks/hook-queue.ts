/**
 * The batching rule of hooks, as pure scheduling: per lane (a mailbox for `onNewMail`, an
 * account for `onNewMailPost`) at most one run at a time, and whatever arrives meanwhile
 * waits for exactly one more run that covers all of it — never a pile of runs.
 *
 * - `onNewMail` lanes start a run on the next turn of the event loop after an item arrives
 *   (so the messages one sync finds together share a run), or as soon as the running one
 *   ends.
 * - `onNewMailPost` lanes start once no item has arrived for the settle time (restarted by
 *   each item) and the previous run has ended.
 */
import type { Clock } from '../../engine/index.js';

/** The items one run covers: the newest `items` (at most the queue's bound) of `count`. */
export interface HookBatch<T> {
  items: T[];
  count: number;
}

/** How a queue decides when its pending items are due. */
export interface HookQueueOptions<T> {
  clock: Clock;
  /** 0: due at the next turn; otherwise due after this long without a new item. */
  delayMs(): number;
  /** Whether each new item restarts the wait (settling) or joins the one already running. */
  restartOnPush: boolean;
  /** Runs one batch; the lane's next run waits for the returned promise. */
  run(key: string, batch: HookBatch<T>): Promise<void>;
  /** The most items kept for one run (the newest); `count` still counts them all. */
  maxItems?: number;
}

interface Lane<T> {
  pending: T[];
  pendingCount: number;
  running: boolean;
  due: boolean;
  cancelTimer: (() => void) | undefined;
}

/** One run at a time per key, plus at most one queued run covering everything since. */
export class HookQueue<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly maxItems: number;
  private closed = false;

  constructor(private readonly options: HookQueueOptions<T>) {
    this.maxItems = options.maxItems ?? 100;
  }

  /** Adds an item to `key`'s lane. */
  push(key: string, item: T): void {
    if (this.closed) return;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { pending: [], pendingCount: 0, running: false, due: false, cancelTimer: undefined };
      this.lanes.set(key, lane);
    }
    lane.pending.push(item);
    if (lane.pending.length > this.maxItems) lane.pending.shift();
    lane.pendingCount += 1;
    if (this.options.restartOnPush) {
      lane.cancelTimer?.();
      lane.cancelTimer = undefined;
      lane.due = false;
    }
    if (!lane.due && !lane.cancelTimer) {
      const current = lane;
      current.cancelTimer = this.options.clock.setTimeout(() => {
        current.cancelTimer = undefined;
        current.due = true;
        this.startIfDue(key, current);
      }, this.options.delayMs());
    }
  }

  /** Whether `key` has a run going. */
  isRunning(key: string): boolean {
    return this.lanes.get(key)?.running ?? false;
  }

  /** Drops everything pending; runs already going are the caller's to stop. */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes.values()) lane.cancelTimer?.();
    this.lanes.clear();
  }

  private startIfDue(key: string, lane: Lane<T>): void {
    if (this.closed || lane.running || !lane.due || lane.pendingCount === 0) return;
    const batch = { items: lane.pending, count: lane.pendingCount };
    lane.pending = [];
    lane.pendingCount = 0;
    lane.due = false;
    lane.running = true;
    const ended = () => {
      lane.running = false;
      // Items that came during the run and are already due start the one queued run now.
      if (lane.pendingCount > 0) this.startIfDue(key, lane);
      else if (!lane.cancelTimer && this.lanes.get(key) === lane) this.lanes.delete(key);
    };
    let running: Promise<void>;
    try {
      running = this.options.run(key, batch);
    } catch {
      running = Promise.resolve();
    }
    running.then(ended, ended);
  }
}
