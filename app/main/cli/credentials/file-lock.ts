/**
 * A lock on one file shared by processes (`tidings login`, `check` and `watch` over one
 * tokens.json), through proper-lockfile: the lock is a directory beside the file (`FILE.lock`,
 * made with mkdir, which is atomic), kept fresh by its holder; one left by a process that died
 * is taken over once it is stale. Waiting is bounded and ends in an error that names both
 * paths. Within one async call chain the lock is re-entered, not waited on: a refresh that
 * holds it saves its rotated token through the same lock. proper-lockfile removes the lock
 * directories a process holds when it exits (signal-exit, Ctrl-C included); only a killed
 * process leaves one behind, for the stale rule.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import lockfile from 'proper-lockfile';
import { TidingsError } from '../../engine/index.js';

/** How long to wait, and when a lock is a dead process's. */
export interface FileLockOptions {
  waitMs: number;
  /** A lock whose directory was not touched for this long is stale (proper-lockfile: ≥ 2 s). */
  staleMs: number;
  /** The lock was lost while held (the system slept past `staleMs`; someone removed it). */
  onCompromised(error: Error): void;
}

interface Held {
  lockPath: string;
  released: boolean;
}

// Which lock the current async call chain holds. A flag, not just presence: promises started
// inside `run` keep this context after it returns, and must not write unlocked.
const holding = new AsyncLocalStorage<Held>();

const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 250;

/** The lock of `file`. */
export class FileLock {
  readonly lockPath: string;

  constructor(
    readonly file: string,
    private readonly options: FileLockOptions,
  ) {
    this.lockPath = `${file}.lock`;
  }

  /** Runs `work` holding the lock; rejects with a `timeout` error if it is not free in time. */
  async run<T>(work: () => T | Promise<T>): Promise<T> {
    const current = holding.getStore();
    if (current?.lockPath === this.lockPath && !current.released) return work();
    const release = await this.acquire();
    const held: Held = { lockPath: this.lockPath, released: false };
    try {
      return await holding.run(held, work);
    } finally {
      held.released = true;
      // A compromised lock is already gone (ERELEASED); nothing else here is worth failing
      // the work for: a directory left behind goes stale and is taken over.
      await release().catch(() => {});
    }
  }

  private async acquire(): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.options.waitMs;
    let pause = FIRST_PAUSE_MS;
    for (;;) {
      try {
        return await lockfile.lock(this.file, {
          lockfilePath: this.lockPath,
          // realpath (the default) needs the file to exist; tokens.json does not before the
          // first sign-in. The directory is what is locked, whatever path leads to it.
          realpath: false,
          stale: this.options.staleMs,
          // Its own retries count attempts, not time: ours wait until a deadline.
          retries: 0,
          // The default throws from a timer, which would end `tidings watch` with a crash.
          onCompromised: (error) => this.options.onCompromised(error),
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ELOCKED') {
          throw new TidingsError(
            'config',
            `cannot lock ${this.file} (${this.lockPath}): ${(error as Error).message}`,
            { cause: error },
          );
        }
        const left = deadline - Date.now();
        if (left <= 0) throw this.busy(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      }
    }
  }

  private busy(cause: unknown): TidingsError {
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
    // `timeout`: transient, so a watcher retries later instead of stopping the account.
    return new TidingsError(
      'timeout',
      `${this.file} is locked by another tidings process: ${this.lockPath} was not released ` +
        `within ${seconds(this.options.waitMs)} (a lock left by a process that died is taken ` +
        `over after ${seconds(this.options.staleMs)}; if no tidings is running, remove it)`,
      { cause },
    );
  }
}
