/**
 * Back after an outage (issue 23, item 5): `tidings watch --json` (default liveness and
 * backoff, INBOX over NOTIFY) watches through a fault proxy, which then stops serving: open
 * connections reset and new ones refused (a stopped server: 10 s; refused: 20 s), or new
 * ones accepted and closed before the greeting (dropped: 20 s). One message goes straight
 * to Dovecot during the outage; the figure is "server back → that message's new-mail line"
 * (and → INBOX idle again). A fresh `tidings watch` each run: its backoff starts from zero.
 *
 *   npm run bench -- recovery --outage [--runs 20] [--kinds stopped,refused,dropped]
 */
import type { Dovecot } from '../test/support/dovecot.js';
import { startFaultProxy, type FaultProxy } from '../test/support/fault-proxy.js';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import type { WatchEvent } from '../test/support/watch-process.js';
import { benchAccount, pause, startBenchDovecot, startTimedWatch } from './support/fixture.js';
import { quantile, summarize } from './support/stats.js';

/** One kind of outage: how the proxy behaves, and for how long. */
interface Outage {
  label: string;
  mode: 'refuse' | 'drop';
  ms: number;
}

/** The outages by name, as `--kinds` spells them. */
export const outages: Record<string, Outage> = {
  stopped: { label: 'server stopped 10 s (reset + refused)', mode: 'refuse', ms: 10_000 },
  refused: { label: 'connections refused 20 s (reset + refused)', mode: 'refuse', ms: 20_000 },
  dropped: { label: 'closed before the greeting 20 s (reset + drop)', mode: 'drop', ms: 20_000 },
};

/** The goal: mail flows this soon after the server is back, every run. */
const GOAL_MS = 3_000;
/** The message goes to Dovecot this long into the outage (the watcher has failed by then). */
const DELIVER_AFTER_MS = 1_000;
/** The detail rounds a wait to 0.1 s; a login this close to its end came when it ran out. */
const WAITED_OUT_SLACK_MS = 250;
/** Before the knocks a 20 s outage can end in a 64 s backoff step; this is well past it. */
const WAIT_FOR_MAIL_MS = 180_000;

/** What one run saw. */
interface OutageRun {
  /** Server back → the message's new-mail line; NaN if it never came. */
  mailMs: number;
  /** Server back → INBOX idle again. */
  idleMs: number;
  /** `connecting` lines (each one a connection and a login attempt) during the outage. */
  loginsDuring: number;
  /** Connections the proxy accepted during the outage (dropped: knocks and login attempts). */
  acceptedDuring: number;
  /** Backoff steps (`backoff` lines) during the outage. */
  stepsDuring: number;
  /** Outage → idle again: the most `connecting` lines between two backoff lines. */
  loginsPerStep: number;
  /** Server back → idle: `connecting` lines, and connections the proxy accepted. */
  loginsAfter: number;
  acceptedAfter: number;
  /** What was left of the backoff wait running when the server came back (ms). */
  backoffLeftMs: number;
  /** How long before the server came back that wait began (its backoff line, ms). */
  backoffAgoMs: number;
  /** The first login after the server came back was when that wait ran out (±250 ms). */
  waitedOut: boolean;
}

/** Runs each outage `runs` times and prints its figures. */
export async function runOutages(kinds: string[], runs: number): Promise<void> {
  const dovecot = await startBenchDovecot(1);
  try {
    for (const kind of kinds) {
      const outage = outages[kind];
      if (!outage) throw new Error(`--kinds: unknown "${kind}"; known: ${Object.keys(outages)}`);
      const results: OutageRun[] = [];
      for (let i = 0; i < runs; i++) {
        results.push(await runOnce(dovecot, outage));
        await pause(500);
      }
      print(outage, results);
    }
  } finally {
    await dovecot.stop();
  }
}

async function runOnce(dovecot: Dovecot, outage: Outage): Promise<OutageRun> {
  const proxy = await startFaultProxy(dovecot.port);
  const watch = startTimedWatch({ accounts: [benchAccount(dovecot, ['INBOX'], proxy.port)] });
  try {
    await watch.allIdle(['INBOX']);
    const events = watch.proc.events;
    const from = events.items.length;
    const acceptedBefore = proxy.accepted;
    const downAt = performance.now();
    await cut(proxy, outage.mode);
    await pause(DELIVER_AFTER_MS);
    const id = newMessageId();
    await dovecot.withClient('bench', (client) =>
      client.append('INBOX', buildMessage({ messageId: id, subject: 'outage' })),
    );
    await pause(Math.max(0, downAt + outage.ms - performance.now()));
    const during = events.items.slice(from);
    const acceptedDuring = proxy.accepted - acceptedBefore;
    await proxy.setMode('pass');
    const backAt = performance.now();
    const backFrom = events.items.length;
    const acceptedAtBack = proxy.accepted;
    const line = await events
      .waitFor((e) => e.event === 'new-mail' && e.messageId === id, 'mail', WAIT_FOR_MAIL_MS, from)
      .catch(() => undefined);
    const idleAt = await watch.allIdle(['INBOX'], backFrom, 10_000).catch(() => Number.NaN);
    const after = events.items
      .slice(backFrom)
      .filter((e) => (watch.arrivals.get(e) ?? 0) <= idleAt);
    const waitEnds = backoffEnd(during, watch.arrivals);
    const lastStep = during.filter(isBackoff).at(-1);
    const window = events.items.slice(from).filter((e) => (watch.arrivals.get(e) ?? 0) <= idleAt);
    const relogin = after.filter(isConnecting).map((e) => watch.arrivals.get(e) ?? Number.NaN)[0];
    return {
      mailMs: line ? (watch.arrivals.get(line) ?? Number.NaN) - backAt : Number.NaN,
      idleMs: idleAt - backAt,
      loginsDuring: during.filter(isConnecting).length,
      acceptedDuring,
      stepsDuring: during.filter(isBackoff).length,
      loginsPerStep: mostLoginsPerStep(window),
      loginsAfter: after.filter(isConnecting).length,
      acceptedAfter: proxy.accepted - acceptedAtBack,
      backoffLeftMs: waitEnds - backAt,
      backoffAgoMs: backAt - (lastStep ? (watch.arrivals.get(lastStep) ?? Number.NaN) : Number.NaN),
      waitedOut: Math.abs((relogin ?? Number.NaN) - waitEnds) <= WAITED_OUT_SLACK_MS,
    };
  } finally {
    await watch.proc.stop();
    await proxy.close();
  }
}

/** Stops serving: new connections refused or dropped from now, open ones reset. */
async function cut(proxy: FaultProxy, mode: Outage['mode']): Promise<void> {
  await proxy.setMode(mode);
  proxy.resetAll();
}

// A login attempt is announced as `connecting host:port` (not the wait for a budget slot).
function isConnecting(e: WatchEvent): boolean {
  return e.event === 'status' && e.state === 'connecting' && !/waiting/.test(String(e.detail));
}

function isBackoff(e: WatchEvent): boolean {
  return e.event === 'status' && e.state === 'backoff';
}

// The most login attempts between two backoff lines (or before the first, or after the last).
function mostLoginsPerStep(events: WatchEvent[]): number {
  let most = 0;
  let now = 0;
  for (const e of events) {
    if (isBackoff(e)) now = 0;
    else if (isConnecting(e)) most = Math.max(most, ++now);
  }
  return most;
}

// When the wait of the last backoff line ("…; retrying in 12.3 s") ends (NaN if none).
function backoffEnd(events: WatchEvent[], arrivals: Map<WatchEvent, number>): number {
  const last = events.filter(isBackoff).at(-1);
  const match = /retrying in ([\d.]+) (ms|s)$/.exec(String(last?.detail ?? ''));
  if (!last || !match) return Number.NaN;
  const ms = Number(match[1]) * (match[2] === 's' ? 1000 : 1);
  return (arrivals.get(last) ?? Number.NaN) + ms;
}

function print(outage: Outage, runs: OutageRun[]): void {
  const mail = runs.map((r) => r.mailMs);
  const seen = mail.filter((v) => !Number.isNaN(v));
  const within = seen.filter((v) => v <= GOAL_MS).length;
  const counts = (values: number[]) =>
    `${quantile(values, 0)}–${quantile(values, 1)}, p50 ${quantile(values, 0.5)}`;
  const sorted = (values: number[]) =>
    [...values]
      .sort((a, b) => a - b)
      .map((v) => (Number.isNaN(v) ? 'never' : v.toFixed(0)))
      .join(' ');
  console.log(`recovery: ${outage.label}, tidings watch (default backoff), INBOX over NOTIFY`);
  console.log(`  back → new-mail line   ${summarize(seen)}`);
  console.log(`    sorted (ms): ${sorted(mail)}`);
  console.log(`  back → idle again      ${summarize(runs.map((r) => r.idleMs))}`);
  console.log(`    sorted (ms): ${sorted(runs.map((r) => r.idleMs))}`);
  console.log(
    `  within ${GOAL_MS / 1000} s: ${within} of ${runs.length} runs; never announced: ` +
      `${runs.length - seen.length}`,
  );
  console.log(
    `  during the outage: logins ${counts(runs.map((r) => r.loginsDuring))}; ` +
      `connections accepted ${counts(runs.map((r) => r.acceptedDuring))}`,
  );
  console.log(
    `  backoff steps during the outage ${counts(runs.map((r) => r.stepsDuring))}; most logins ` +
      `in one step (outage → idle) ${counts(runs.map((r) => r.loginsPerStep))}`,
  );
  console.log(`  backoff wait left when back (ms): ${sorted(runs.map((r) => r.backoffLeftMs))}`);
  console.log(
    `  first login after back when that wait ran out: ${runs.filter((r) => r.waitedOut).length} ` +
      `of ${runs.length} runs (the others cut short)`,
  );
  const late = runs.filter((r) => !(r.mailMs <= GOAL_MS));
  if (late.length > 0) {
    const describe = (r: OutageRun) =>
      `${Number.isNaN(r.mailMs) ? 'never' : r.mailMs.toFixed(0)} (wait left ` +
      `${r.backoffLeftMs.toFixed(0)}${r.waitedOut ? ', ran out' : ', cut short'}, began ` +
      `${r.backoffAgoMs.toFixed(0)} before back)`;
    console.log(`  over ${GOAL_MS / 1000} s (ms): ${late.map(describe).join(', ')}`);
  }
  console.log(
    `  back → idle: logins ${counts(runs.map((r) => r.loginsAfter))}; ` +
      `connections accepted ${counts(runs.map((r) => r.acceptedAfter))}`,
  );
}
