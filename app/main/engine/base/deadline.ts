/**
 * Deadlines for promises that may never settle. imapflow has no per-command timeout and no
 * AbortSignal (its issues #27, #262: a command can hang when the link drops mid-command),
 * so every call to it is raced against a timer here; on expiry `onExpire` tears the
 * connection down, which also rejects whatever was still queued behind the command.
 */
import { TidingsError } from './errors.js';
import type { Clock } from './ports.js';

/** Settles like `work`, or rejects with a `timeout` error after `ms` and calls `onExpire`. */
export function withDeadline<T>(
  clock: Clock,
  work: Promise<T>,
  ms: number,
  what: string,
  onExpire: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.setTimeout(() => {
      reject(new TidingsError('timeout', `${what} got no answer within ${formatSeconds(ms)}`));
      onExpire();
    }, ms);
    work.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error);
      },
    );
  });
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const cancel = clock.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Resolves with the abort reason once `signal` aborts. */
export function whenAborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true }),
  );
}

/** "15 s", "1.5 s", "250 ms". */
export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
