/**
 * Reconnect delays: exponential backoff with full jitter and a cap (the AWS architecture
 * blog's "full jitter"), so many watchers that fail together do not retry in lockstep.
 */

/** Backoff bounds, in milliseconds. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Defaults: the first retry within 1 s, never more than 5 minutes apart. */
export const defaultBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 300_000 };

/** The policy the watchers run with: the default first step, the cap from the settings. */
export function backoffFor(liveness: { maxBackoffSeconds: number }): BackoffPolicy {
  return { ...defaultBackoff, maxMs: liveness.maxBackoffSeconds * 1000 };
}

/** The delay before retry number `attempt` (0-based): uniform in [0, min(cap, initial·2^n)]. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}
