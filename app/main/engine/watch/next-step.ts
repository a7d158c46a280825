/**
 * The one decision after a connection failed, without a socket or a clock: sign in again at
 * once, stop and wait for the user, wait for the network, or retry after a delay. The
 * watcher (connection-watcher.ts) carries it out; tests check it table by table.
 */
import type { WatcherState } from '../../../common/account-status.js';
import { formatSeconds, isTransient, type TidingsError } from '../base/index.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';

/** What the watcher knows when a connection has failed. */
export interface FailureContext {
  /** Failed attempts since the connection was last healthy (the backoff step). */
  attempt: number;
  /** False while the machine has no network at all. */
  online: boolean;
  /** The server is on loopback (a local bridge): no network needed to reach it. */
  loopback: boolean;
  /** A resume or network change asked for an immediate retry. */
  retryAtOnce: boolean;
  /** This healthy stretch already signed in again once for an expired token. */
  expiryReconnected: boolean;
}

/** What to do next, and the state to show meanwhile. */
export type NextStep =
  | { kind: 'sign-in-again'; state: 'connecting'; detail: string }
  | { kind: 'wait-for-user'; state: 'auth-failed' | 'tls-error' | 'error'; detail: string }
  | { kind: 'wait-for-network'; state: 'offline'; detail: string }
  | {
      kind: 'retry';
      state: Extract<WatcherState, 'backoff' | 'error'>;
      detail: string;
      delayMs: number;
    };

/** The next step after `error`; `random` is the backoff's jitter. */
export function nextStep(
  error: TidingsError,
  context: FailureContext,
  policy: BackoffPolicy,
  random: () => number,
): NextStep {
  if (error.credentialsExpired && !context.expiryReconnected) {
    // The token ran out under a live session (Exchange's BYE … AccessTokenExpired): sign in
    // again at once with a fresh one; the resync after SELECT finds what came meanwhile.
    return {
      kind: 'sign-in-again',
      state: 'connecting',
      detail: `${error.message}; signing in again`,
    };
  }
  if (!isTransient(error) && error.code !== 'mailbox') {
    const state =
      error.code === 'auth' ? 'auth-failed' : error.code === 'tls' ? 'tls-error' : 'error';
    return { kind: 'wait-for-user', state, detail: error.message };
  }
  if (!context.online && !context.loopback) {
    return { kind: 'wait-for-network', state: 'offline', detail: `no network (${error.message})` };
  }
  const backoff = context.retryAtOnce ? 0 : backoffDelay(policy, context.attempt, random);
  // A server that says how long to wait (Microsoft 365's Suggested Backoff Time) is heeded,
  // resume or not: coming back sooner only earns another refusal. Within maxBackoffSeconds,
  // though: a hint of hours must not make the account look dead.
  const asked = Math.min(error.retryAfterMs ?? 0, policy.maxMs);
  const delayMs = Math.max(backoff, asked);
  return {
    kind: 'retry',
    state: error.code === 'mailbox' ? 'error' : 'backoff',
    detail: `${error.message}; retrying in ${formatSeconds(delayMs)}`,
    delayMs,
  };
}
