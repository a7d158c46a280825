/**
 * Recovery:
 * - blackhole detection at default liveness (heartbeat 60 s, deadline 15 s): five watchers,
 *   started 12 s apart so their heartbeats fall at different phases, all cut at once;
 * - resume → all 50 watchers idle again, with live connections and with connections that
 *   died silently (the engine, through its SystemEvents port: the honest way to inject it);
 * - Dovecot restart → all 50 watchers of `tidings watch` idle again, and the peak number of
 *   connection attempts in flight at once (no reconnect storm);
 * - with `--outage`, only this instead: back after an outage, N runs of each (outage.ts).
 *
 *   npm run bench -- recovery [--skip-blackhole]
 *   npm run bench -- recovery --outage [--runs 20] [--kinds stopped,refused,dropped]
 */
import { parseArgs } from 'node:util';
import type { SystemEventKind, SystemEvents } from '../app/main/engine/base/ports.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import { startEngine, testSettings } from '../test/support/engine-harness.js';
import {
  benchAccount,
  mailboxNames,
  pause,
  startBenchDovecot,
  startTimedWatch,
} from './support/fixture.js';
import { runOutages } from './outage.js';
import { summarize } from './support/stats.js';

class Triggers implements SystemEvents {
  private readonly listeners = new Set<(kind: SystemEventKind, detail: string) => void>();
  onEvent(listener: (kind: SystemEventKind, detail: string) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  isOnline() {
    return true;
  }
  emit(kind: SystemEventKind) {
    this.listeners.forEach((listener) => listener(kind, 'bench'));
  }
}

/** Runs the benchmark and prints its table. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'skip-blackhole': { type: 'boolean', default: false },
      outage: { type: 'boolean', default: false },
      runs: { type: 'string', default: '20' },
      kinds: { type: 'string', default: 'stopped,refused,dropped' },
    },
  });
  if (values.outage) {
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a whole number ≥ 1`);
    return runOutages(values.kinds.split(','), runs);
  }
  await resumeToIdle();
  await restartToIdle();
  if (!values['skip-blackhole']) await blackholeDetection();
}

async function blackholeDetection(): Promise<void> {
  const dovecot = await startBenchDovecot(1);
  const proxies = await Promise.all(Array.from({ length: 5 }, () => startFaultProxy(dovecot.port)));
  const watches = [];
  try {
    for (const proxy of proxies) {
      const watch = startTimedWatch({ accounts: [benchAccount(dovecot, ['INBOX'], proxy.port)] });
      watches.push(watch);
      await watch.allIdle(['INBOX']);
      await pause(12_000);
    }
    const cutAt = performance.now();
    await Promise.all(proxies.map((proxy) => proxy.setMode('blackhole')));
    const detected = await Promise.all(
      watches.map(async (watch) => {
        const from = watch.proc.events.items.length;
        const event = await watch.proc.events.waitFor(
          (e) => e.event === 'status' && e.state !== 'idle',
          'detection',
          120_000,
          from,
        );
        return {
          ms: (watch.arrivals.get(event) ?? Number.NaN) - cutAt,
          detail: String(event.detail),
        };
      }),
    );
    console.log(
      'recovery: blackholed connection, default liveness (heartbeat 60 s, deadline 15 s) (ms)',
    );
    console.log(`  cut → detected        ${summarize(detected.map((d) => d.ms))}`);
    console.log(
      `  detected by: ${[...new Set(detected.map((d) => d.detail.replace(/; retrying.*/, '')))].join(' | ')}`,
    );
  } finally {
    await Promise.all(watches.map((watch) => watch.proc.stop()));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await dovecot.stop();
  }
}

async function resumeToIdle(): Promise<void> {
  const mailboxes = mailboxNames(50);
  const dovecot = await startBenchDovecot(50);
  const proxy = await startFaultProxy(dovecot.port);
  const triggers = new Triggers();
  const settings = testSettings([benchAccount(dovecot, mailboxes, proxy.port)], 5, {});
  const engine = startEngine(settings, undefined, { systemEvents: triggers });
  const live: number[] = [];
  const dead: number[] = [];
  try {
    await engine.allIdle(settings);
    for (let round = 0; round < 10; round++) {
      const killed = round % 2 === 1;
      if (killed) proxy.killSilently();
      const from = engine.statuses.items.length;
      const at = performance.now();
      triggers.emit('resume');
      await engine.allIdle(settings, from);
      (killed ? dead : live).push(performance.now() - at);
      engine.statuses.items.splice(0);
      await pause(500);
    }
  } finally {
    await engine.supervisor.stop();
    await proxy.close();
    await dovecot.stop();
  }
  console.log('recovery: resume trigger → all 50 watchers idle (engine) (ms)');
  console.log(`  live connections      ${summarize(live)}`);
  console.log(`  silently dead ones    ${summarize(dead)}`);
}

async function restartToIdle(): Promise<void> {
  const mailboxes = mailboxNames(50);
  const dovecot = await startBenchDovecot(50);
  const watch = startTimedWatch({ accounts: [benchAccount(dovecot, mailboxes)] });
  try {
    await watch.allIdle(mailboxes);
    // One round: a healthy minute resets the backoff, so back-to-back restarts would measure
    // the backoff of the previous round rather than recovery.
    const from = watch.proc.events.items.length;
    const at = performance.now();
    await dovecot.restart();
    const back = performance.now();
    const idleAt = await watch.allIdle(mailboxes, from);
    // Replay the status lines: how many watchers were between "connecting" and its outcome.
    const inFlight = new Set<unknown>();
    let peak = 0;
    for (const e of watch.proc.events.items.slice(from)) {
      if (e.event !== 'status') continue;
      if (e.state === 'connecting') inFlight.add(e.mailbox);
      else inFlight.delete(e.mailbox);
      peak = Math.max(peak, inFlight.size);
    }
    const attempts = watch.proc.events.items
      .slice(from)
      .filter((e) => e.state === 'connecting').length;
    console.log('recovery: Dovecot restart with 50 watchers (tidings watch, default backoff)');
    console.log(`  restart began → all idle   ${(idleAt - at).toFixed(0)} ms`);
    console.log(`  server back → all idle     ${(idleAt - back).toFixed(0)} ms`);
    console.log(`  connection attempts: ${attempts}; peak in flight at once: ${peak} (of 50)`);
  } finally {
    await watch.proc.stop();
    await dovecot.stop();
  }
}
