/** A `Clock` that moves only when the test says so. */
import type { Clock } from '../../app/main/engine/base/ports.js';

/** Timers fire, in due order, when `advance` passes their time. */
export class ManualClock implements Clock {
  private time = 1_000_000;
  private timers: Array<{ due: number; callback: () => void }> = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): () => void {
    const timer = { due: this.time + ms, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** How long from now each pending timer is due, soonest first: [] means nothing will fire. */
  get pending(): number[] {
    return this.timers.map((t) => t.due - this.time).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.due <= until).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.due;
      next.callback();
    }
    this.time = until;
  }
}
