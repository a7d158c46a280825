/**
 * `SystemEvents` under plain Node, which has no power or network events: a sleep shows as
 * a timer that fires far later than scheduled (the process was frozen), and a network change
 * as a different set of interface addresses from `os.networkInterfaces()`. Both timers are
 * unref'd: they never keep the process alive on their own.
 */
import { networkInterfaces } from 'node:os';
import type { SystemEventKind, SystemEvents } from '../base/index.js';

/** Tuning and seams for tests. */
export interface NodeSystemEventsOptions {
  intervalMs?: number;
  /** A tick this much later than scheduled counts as a resume from sleep. */
  driftMs?: number;
  now?: () => number;
  addresses?: () => string;
}

/** System events from timer drift and interface polling; `close()` stops the polling. */
export function createNodeSystemEvents(
  options: NodeSystemEventsOptions = {},
): SystemEvents & { close(): void } {
  const intervalMs = options.intervalMs ?? 5_000;
  const driftMs = options.driftMs ?? 10_000;
  const now = options.now ?? Date.now;
  const addresses = options.addresses ?? currentAddresses;
  const listeners = new Set<(kind: SystemEventKind, detail: string) => void>();
  const emit = (kind: SystemEventKind, detail: string) => listeners.forEach((l) => l(kind, detail));

  let lastTick = now();
  let lastAddresses = addresses();
  const timer = setInterval(() => {
    const tick = now();
    const late = tick - lastTick - intervalMs;
    lastTick = tick;
    if (late > driftMs) emit('resume', `timers ran ${Math.round(late / 1000)} s late`);
    const current = addresses();
    if (current !== lastAddresses) {
      lastAddresses = current;
      emit('network-changed', current ? 'interface addresses changed' : 'no network interfaces');
    }
  }, intervalMs);
  timer.unref();

  return {
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isOnline: () => lastAddresses !== '',
    close: () => clearInterval(timer),
  };
}

/** A stable signature of the machine's non-loopback addresses. */
function currentAddresses(): string {
  return Object.entries(networkInterfaces())
    .flatMap(([name, entries]) =>
      (entries ?? []).filter((e) => !e.internal).map((e) => `${name}=${e.address}`),
    )
    .sort()
    .join(',');
}
