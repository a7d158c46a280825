/**
 * Soak: one watcher forced to reconnect N times (every connection reset through the fault
 * proxy as soon as it is idle). Prints RSS, heap and Node's active handles before and after,
 * to show that nothing leaks per connection: sockets, timers, listeners.
 *
 *   npm run bench -- soak-reconnect [--reconnects 1000]
 */
import { parseArgs } from 'node:util';
import { startDovecot } from '../test/support/dovecot.js';
import {
  fastLiveness,
  startEngine,
  testAccount,
  testSettings,
} from '../test/support/engine-harness.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';

interface Snapshot {
  rssMb: number;
  heapMb: number;
  handles: Record<string, number>;
}

function snapshot(): Snapshot {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  return { rssMb: rss / 2 ** 20, heapMb: heapUsed / 2 ** 20, handles };
}

function describe(label: string, s: Snapshot): string {
  const handles = Object.entries(s.handles)
    .sort()
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
  return `  ${label.padEnd(7)} RSS ${s.rssMb.toFixed(1)} MB  heap ${s.heapMb.toFixed(1)} MB  handles: ${handles}`;
}

/** Runs the soak and prints its figures. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { reconnects: { type: 'string', default: '1000' } },
  });
  const reconnects = Number(values.reconnects);
  const dovecot = await startDovecot({ soak: 'pw' });
  const proxy = await startFaultProxy(dovecot.port);
  const settings = testSettings(
    [{ ...testAccount(dovecot, 's', 'soak', 'pw'), port: proxy.port }],
    5,
    fastLiveness,
  );
  // Backoff near zero: the soak measures what each reconnect leaves behind, not waiting.
  const engine = startEngine(settings, undefined, { backoff: { initialMs: 1, maxMs: 5 } });
  try {
    await engine.allIdle(settings);
    engine.statuses.items.splice(0);
    const warmup = Math.min(20, reconnects);
    const cycle = async () => {
      proxy.resetAll();
      await engine.allIdle(settings, 0);
      // The harness records every status; drop them so only the engine's memory is measured.
      engine.statuses.items.splice(0);
    };
    for (let i = 0; i < warmup; i++) await cycle();
    const before = snapshot();
    const started = performance.now();
    for (let i = 0; i < reconnects; i++) await cycle();
    const seconds = (performance.now() - started) / 1000;
    // Let closed sockets finish closing before counting handles.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = snapshot();
    console.log(
      `soak-reconnect: ${reconnects} forced reconnects of one watcher in ${seconds.toFixed(1)} s`,
    );
    console.log(describe('before', before));
    console.log(describe('after', after));
    console.log(
      `  connections open at the proxy afterwards: ${proxy.open}; accepted in all: ${proxy.accepted}`,
    );
  } finally {
    await engine.supervisor.stop();
    await proxy.close();
    await dovecot.stop();
  }
}
