/** The decision after a failed connection, table by table, without a socket or a clock. */
import { describe, expect, it } from 'vitest';
import { TidingsError } from '../../../app/main/engine/base/index.js';
import { nextStep, type FailureContext } from '../../../app/main/engine/watch/next-step.js';

const policy = { initialMs: 1_000, maxMs: 300_000 };
const context: FailureContext = {
  attempt: 0,
  online: true,
  loopback: false,
  retryAtOnce: false,
  expiryReconnected: false,
};
const full = () => 1;

describe('nextStep', () => {
  it('stops for the user on a rejected login, an untrusted certificate or a bad config', () => {
    for (const [code, state] of [
      ['auth', 'auth-failed'],
      ['tls', 'tls-error'],
      ['config', 'error'],
    ] as const) {
      expect(nextStep(new TidingsError(code, 'no'), context, policy, full)).toEqual({
        kind: 'wait-for-user',
        state,
        detail: 'no',
      });
    }
  });

  it('keeps retrying a server that speaks garbage (a protocol error), as any transient failure', () => {
    expect(
      nextStep(new TidingsError('protocol', 'greeting was not IMAP'), context, policy, full),
    ).toMatchObject({
      kind: 'retry',
      state: 'backoff',
    });
  });

  it('backs off exponentially with full jitter, capped, for transient failures', () => {
    const reset = new TidingsError('network', 'connection reset');
    const delays = [0, 1, 2, 3, 10, 20].map(
      (attempt) =>
        (nextStep(reset, { ...context, attempt }, policy, full) as { delayMs: number }).delayMs,
    );
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 300_000, 300_000]);
    expect(nextStep(reset, { ...context, attempt: 3 }, policy, () => 0.5)).toMatchObject({
      kind: 'retry',
      state: 'backoff',
      delayMs: 4_000,
      detail: 'connection reset; retrying in 4 s',
    });
  });

  it('retries at once after a resume or network change, but not sooner than the server asks', () => {
    const reset = new TidingsError('network', 'reset');
    expect(
      nextStep(reset, { ...context, retryAtOnce: true, attempt: 5 }, policy, full),
    ).toMatchObject({ kind: 'retry', delayMs: 0 });
    const throttled = new TidingsError('network', 'throttled', { retryAfterMs: 30_000 });
    expect(nextStep(throttled, { ...context, retryAtOnce: true }, policy, full)).toMatchObject({
      delayMs: 30_000,
    });
    // A hint of hours is capped at the backoff's maximum.
    const hours = new TidingsError('network', 'throttled', { retryAfterMs: 3 * 3600_000 });
    expect(nextStep(hours, context, policy, full)).toMatchObject({ delayMs: 300_000 });
  });

  it('waits for the network when there is none, unless the server is on loopback', () => {
    const refused = new TidingsError('network', 'refused');
    expect(nextStep(refused, { ...context, online: false }, policy, full)).toMatchObject({
      kind: 'wait-for-network',
      state: 'offline',
      detail: 'no network (refused)',
    });
    expect(
      nextStep(refused, { ...context, online: false, loopback: true }, policy, full),
    ).toMatchObject({ kind: 'retry' });
  });

  it('signs in again at once for an expired token, once per healthy stretch', () => {
    const expired = new TidingsError('network', 'AccessTokenExpired', { credentialsExpired: true });
    expect(nextStep(expired, context, policy, full)).toMatchObject({ kind: 'sign-in-again' });
    expect(nextStep(expired, { ...context, expiryReconnected: true }, policy, full)).toMatchObject({
      kind: 'retry',
    });
  });

  it('shows a missing mailbox as an error that is retried', () => {
    const missing = new TidingsError('mailbox', 'mailbox not found: Work');
    expect(nextStep(missing, context, policy, full)).toMatchObject({
      kind: 'retry',
      state: 'error',
    });
  });
});
