import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeSystemEvents } from '../../../app/main/engine/node/node-system-events.js';

const open: Array<{ close(): void }> = [];
afterEach(() => {
  open.splice(0).forEach((events) => events.close());
  vi.useRealTimers();
});

function collect(options: Parameters<typeof createNodeSystemEvents>[0]) {
  const events = createNodeSystemEvents({ intervalMs: 10, ...options });
  open.push(events);
  const seen: Array<[string, string]> = [];
  events.onEvent((kind, detail) => seen.push([kind, detail]));
  return { events, seen };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createNodeSystemEvents', () => {
  it('reports a resume when timers fire far later than scheduled (the process was frozen)', () => {
    vi.useFakeTimers();
    let now = 0;
    const { seen } = collect({ driftMs: 1_000, now: () => now, addresses: () => 'eth0=10.0.0.2' });
    now += 10;
    vi.advanceTimersByTime(10);
    expect(seen).toEqual([]);
    // Frozen: the clock moves on, the timer fires once, a minute late.
    now += 10 + 60_000;
    vi.advanceTimersByTime(10);
    expect(seen).toEqual([['resume', 'timers ran 60 s late']]);
  });

  it('counts a tick as a resume only when it is more than driftMs later than scheduled', () => {
    vi.useFakeTimers();
    let now = 0;
    const options = { intervalMs: 1_000, driftMs: 1_500, now: () => now, addresses: () => '' };
    const { seen } = collect(options);
    now += 1_000 + 1_400;
    vi.advanceTimersByTime(1_000);
    expect(seen).toEqual([]);
    now += 1_000 + 1_600;
    vi.advanceTimersByTime(1_000);
    expect(seen).toEqual([['resume', 'timers ran 2 s late']]);
  });

  it('reports a network change when the interface addresses change, and tracks being online', async () => {
    let addresses = 'eth0=10.0.0.2';
    const { events, seen } = collect({ addresses: () => addresses });
    expect(events.isOnline()).toBe(true);
    addresses = '';
    await tick(25);
    expect(seen).toEqual([['network-changed', 'no network interfaces']]);
    expect(events.isOnline()).toBe(false);
    addresses = 'wlan0=192.0.2.7';
    await tick(25);
    expect(seen.at(-1)).toEqual(['network-changed', 'interface addresses changed']);
    expect(events.isOnline()).toBe(true);
  });
});
