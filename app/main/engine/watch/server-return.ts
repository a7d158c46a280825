/**
 * Noticing that a server is back, fast and cheaply (issue 23, "back within seconds after an
 * outage"). After a failed connection a watcher waits out its backoff; full jitter after a
 * few failures can leave a server that came back unused for most of a minute. So while a
 * watcher waits, one probe per server (shared by all its watchers) knocks: connect, read
 * the greeting, close, on a short fixed interval with a little jitter.
 *
 * - A server that greets at the first knock was up all along: the failure came after the
 *   greeting (a refused login, a BYE, a protocol error), and the watcher keeps its backoff.
 * - A server that did not greet and then does is back: the watcher is told at once and
 *   makes one login attempt, the next step of its backoff.
 * - A watcher that comes while the knocking runs for others takes the latest knock as its
 *   own first: turned away, the server was not greeting when it failed either (watchers of
 *   one server fail together), and the next greeting means it is back. Found by the outage
 *   bench: a watcher that joined between knocks and saw the server return before the next
 *   one took it for "was up all along" and waited out its whole backoff step.
 */
import type { Clock } from '../base/index.js';
import type { GreetingProbe } from '../imap/index.js';

/** Between knocks; each one is this ± a fifth, so many clients do not knock in step. */
export const KNOCK_INTERVAL_MS = 1_000;

/** What the wait for a server's greeting found. */
export type ServerReturn = 'was-up' | 'back';

interface Waiter {
  /** Knocks this waiter has seen fail: none means the server greeted at its first. */
  missed: number;
  resolve(result: ServerReturn): void;
}

/** One server's knocking, run while anyone waits for it. */
export class ServerReturnWatch {
  private readonly waiters = new Set<Waiter>();
  private knocking = false;
  // What the latest knock of the current run found (undefined before its first).
  private lastGreeted: boolean | undefined;

  constructor(
    private readonly probe: GreetingProbe,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {}

  /**
   * Resolves with `was-up` when the next knock is greeted, with `back` when a later one is
   * (the server was not answering); never resolves once `signal` aborts.
   */
  untilGreeted(signal: AbortSignal): Promise<ServerReturn> {
    return new Promise((resolve) => {
      if (signal.aborted) return;
      const waiter: Waiter = { missed: this.lastGreeted === false ? 1 : 0, resolve };
      this.waiters.add(waiter);
      signal.addEventListener('abort', () => this.waiters.delete(waiter), { once: true });
      if (!this.knocking) void this.knock();
    });
  }

  private async knock(): Promise<void> {
    this.knocking = true;
    try {
      while (this.waiters.size > 0) {
        const asked = new Set(this.waiters);
        const greeted = await this.probe().catch(() => false);
        this.lastGreeted = greeted;
        for (const waiter of this.waiters) {
          // A knock turned away says the server was not greeting, for who came during it too
          // (watchers of one server fail together); a greeting only answers who came before
          // it began: one who came after may have failed after that greeting.
          if (!greeted) waiter.missed++;
          else if (asked.has(waiter)) {
            this.waiters.delete(waiter);
            waiter.resolve(waiter.missed === 0 ? 'was-up' : 'back');
          }
        }
        if (this.waiters.size === 0) break;
        const jitter = (this.random() * 2 - 1) * 0.2 * KNOCK_INTERVAL_MS;
        await new Promise<void>((resolve) =>
          this.clock.setTimeout(resolve, Math.round(KNOCK_INTERVAL_MS + jitter)),
        );
      }
    } finally {
      this.knocking = false;
      this.lastGreeted = undefined;
    }
  }
}
