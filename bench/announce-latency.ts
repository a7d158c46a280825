/**
 * Announcement latency: each message's APPEND → its `new-mail` line from `tidings watch
 * --json` (default burst threshold), beside raw IDLE clients on INBOX in the same run. Mail
 * goes to INBOX; with N watched mailboxes the other watchers idle beside it. Two streams by
 * default (issue 10): 50 messages 0.2 s apart and 200 messages 0.1 s apart, each at 1 and 50
 * watched mailboxes.
 *
 * Tidings' share of a message is its line minus the first EXISTS that covers it at a raw
 * client that stays in IDLE (issue 10's target). Dovecot sends an idling client its EXISTS
 * 0.5 s after the first change it notices, one timer per client, and any session's sync or
 * FETCH (its own included) counts as a change: a client that stays in IDLE while mail flows
 * is told on a running ~0.5 s cycle, while one that leaves IDLE to fetch (as Tidings does)
 * starts afresh 0.5 s after the next APPEND once it idles again. So a second raw client
 * re-idles like Tidings (DONE, FETCH headers, IDLE), and a passive tap timestamps the EXISTS
 * Tidings itself gets, from which what Tidings adds is measured (DONE, UID FETCH, JSON line).
 *
 *
 * With NOTIFY (issue 13, `watchMode` auto, the default) Tidings waits with no mailbox
 * selected and hears of INBOX's mail as an untagged STATUS; the tap counts those too, and a
 * third raw client that stays in NOTIFY SET STATUS (none selected) gives that way of
 * waiting its own floor. `--watch-mode idle` runs the IDLE-per-mailbox fallback instead.
 *
 *   npm run bench -- announce-latency [--streams 50@200,200@100] [--mailboxes 1,50]
 *        [--watch-mode auto,idle] [--server dovecot|cyrus|courier]
 *        [--floors staying,reidling,notify] [--popups] [--trace]
 *
 * A stream is COUNT@SPACING_MS; `--watch-mode` takes a list, each run in turn. `--floors
 * staying` leaves the other raw clients out (their FETCHes touch the mailbox index too);
 * the NOTIFY client is left out where the server has no NOTIFY. `--server` runs on Cyrus 3.6
 * or Courier 5.0 (as root, from /opt/tidings-test-servers; test/support/imap-servers.ts).
 * `--popups` turns desktop popups on, shown to a recording notification server on a private
 * D-Bus; `--trace` prints when each
 * client saw each message, and each popup.
 */
import { parseArgs } from 'node:util';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import { startExistsTap } from './support/exists-tap.js';
import {
  countPopups,
  printCalls,
  startPopupServer,
  type PopupServer,
} from './support/popup-server.js';
import {
  benchAccount,
  newMailLines,
  parseServerKind,
  parseWatchMode,
  pause,
  startBenchServer,
  startTimedWatch,
  waitUntil,
  type BenchServer,
} from './support/fixture.js';
import { startRawIdleClient } from './support/raw-idle-client.js';
import { quantile, summarize } from './support/stats.js';

/** Issue 10's target for Tidings' share: p50 and p95, in ms. */
const TARGET = { p50: 20, p95: 100 };
// A message not announced this long after the last APPEND counts as missing.
const MISSING_AFTER_MS = 10_000;
// After the last line, how long to keep listening for a late duplicate.
const DUPLICATE_WINDOW_MS = 1_000;

interface Stream {
  messages: number;
  spacingMs: number;
}

type Seen = Array<{ count: number; at: number }>;

/** When each party saw each message (NaN: never); `sent` is each APPEND's completion. */
interface Timeline {
  sent: Array<{ id: string; at: number }>;
  line: number[];
  stayingRaw: number[];
  reidlingRaw: number[];
  notifyRaw: number[];
  /** The first EXISTS or STATUS covering the message that reached Tidings, and which. */
  tidingsExists: number[];
  tidingsKind: string[];
  /** The first STATUS covering it that reached Tidings (NOTIFY), NaN if it came otherwise. */
  tidingsStatus: number[];
  lines: number;
  connections: { accepted: number; maxOpen: number };
}

interface Setup {
  server: ReturnType<typeof parseServerKind>;
  watchMode: ReturnType<typeof parseWatchMode>;
  floors: string[];
}

/** Runs the benchmark and prints one block per stream and mailbox count. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      streams: { type: 'string', default: '50@200,200@100' },
      mailboxes: { type: 'string', default: '1,50' },
      popups: { type: 'boolean', default: false },
      floors: { type: 'string', default: 'staying,reidling,notify' },
      'watch-mode': { type: 'string', default: 'auto,idle' },
      server: { type: 'string', default: 'dovecot' },
      trace: { type: 'boolean', default: false },
    },
  });
  const server = parseServerKind(values.server);
  const modes = values['watch-mode'].split(',').map(parseWatchMode);
  const mailboxCounts = values.mailboxes.split(',').map(Number);
  if (mailboxCounts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--mailboxes wants counts ≥ 1, e.g. 1,50 (got "${values.mailboxes}")`);
  }
  for (const watchMode of modes) {
    for (const stream of values.streams.split(',').map(parseStream)) {
      for (const mailboxCount of mailboxCounts) {
        const popupServer = values.popups ? await startPopupServer() : undefined;
        const setup = { server, watchMode, floors: values.floors.split(',') };
        const timeline = await measure(stream, mailboxCount, popupServer, setup).finally(() =>
          popupServer?.stop(),
        );
        const popups = popupServer ? 'on (recording notification server)' : 'off';
        console.log(
          `announce-latency: ${server}, watchMode ${watchMode}, ${stream.messages} messages ` +
            `${stream.spacingMs} ms apart, ${mailboxCount} watched mailbox(es), default burst ` +
            `threshold, popups ${popups} (ms)`,
        );
        printRun(timeline, popupServer, values.trace);
      }
    }
  }
}

function printRun(timeline: Timeline, popupServer: PopupServer | undefined, trace: boolean): void {
  report(timeline);
  if (popupServer) {
    const counts = countPopups(popupServer.calls());
    console.log(
      `  Notify calls ${counts.calls} (${counts.replacements} with replaces_id, ` +
        `${counts.distinct} distinct notifications)`,
    );
  }
  if (trace) printTrace(timeline);
  if (trace && popupServer) printCalls(popupServer.calls(), timeline.sent[0]?.at ?? 0);
}

function parseStream(text: string): Stream {
  const [messages, spacingMs] = text.split('@').map(Number);
  if (!messages || spacingMs === undefined || Number.isNaN(spacingMs)) {
    throw new Error(`--streams wants COUNT@SPACING_MS, e.g. 50@200 (got "${text}")`);
  }
  return { messages, spacingMs };
}

async function measure(
  stream: Stream,
  mailboxCount: number,
  popupServer: Parameters<typeof startTimedWatch>[1],
  setup: Setup,
): Promise<Timeline> {
  const server: BenchServer = await startBenchServer(setup.server, mailboxCount);
  const { mailboxes } = server;
  const tap = await startExistsTap(server.port);
  const watch = startTimedWatch(
    { accounts: [benchAccount(server, mailboxes, tap.port, { watchMode: setup.watchMode })] },
    popupServer,
  );
  try {
    await watch.allIdle(mailboxes);
    const connections = { accepted: tap.accepted(), maxOpen: tap.maxOpen() };
    const staying = await startRawIdleClient(server.port, 'bench', 'pw');
    const reidling = setup.floors.includes('reidling')
      ? await startRawIdleClient(server.port, 'bench', 'pw', { reidle: true })
      : undefined;
    // Servers without NOTIFY answer BAD: that floor is left out.
    const notifying = setup.floors.includes('notify')
      ? await startRawIdleClient(server.port, 'bench', 'pw', { notify: true }).catch(
          () => undefined,
        )
      : undefined;
    const sent: Timeline['sent'] = [];
    await server.withClient(async (client) => {
      const start = performance.now();
      for (let i = 0; i < stream.messages; i++) {
        const id = newMessageId();
        await client.append('INBOX', buildMessage({ messageId: id, subject: `bench ${i}` }));
        sent.push({ id, at: performance.now() });
        await pause(Math.max(0, start + (i + 1) * stream.spacingMs - performance.now()));
      }
    });
    const allSeen = () => sent.every(({ id }) => newMailLines(watch).firstAt.has(id));
    await waitUntil(allSeen, MISSING_AFTER_MS);
    await pause(DUPLICATE_WINDOW_MS);
    staying.close();
    reidling?.close();
    notifying?.close();
    const { firstAt, total } = newMailLines(watch);
    // INBOX grows by one per message: the first EXISTS at or above i + 1 covers message i.
    const first = <T extends { count: number }>(seen: readonly T[], i: number) =>
      seen.find((e) => e.count >= i + 1);
    const covered = (seen: Seen) => sent.map((_, i) => first(seen, i)?.at ?? Number.NaN);
    const statuses = tap.exists.filter((e) => e.kind === 'status');
    return {
      sent,
      line: sent.map(({ id }) => firstAt.get(id) ?? Number.NaN),
      stayingRaw: covered(staying.exists),
      reidlingRaw: covered(reidling?.exists ?? []),
      notifyRaw: covered(notifying?.exists ?? []),
      tidingsExists: covered(tap.exists),
      tidingsKind: sent.map((_, i) => first(tap.exists, i)?.kind ?? '-'),
      tidingsStatus: covered(statuses),
      lines: total,
      connections,
    };
  } finally {
    await watch.proc.stop();
    await tap.close();
    await server.stop();
  }
}

function report(t: Timeline): void {
  const between = (from: number[], to: number[]) =>
    to.map((at, i) => at - (from[i] ?? Number.NaN)).filter((v) => !Number.isNaN(v));
  const appended = t.sent.map(({ at }) => at);
  const share = between(t.stayingRaw, t.line);
  const own = between(t.tidingsExists, t.line);
  const rows: Array<[string, number[], boolean?]> = [
    ['APPEND → new-mail line', between(appended, t.line)],
    ['APPEND → raw EXISTS, staying in IDLE (floor)', between(appended, t.stayingRaw)],
    ['APPEND → raw EXISTS, re-idling like Tidings', between(appended, t.reidlingRaw)],
    ['APPEND → raw STATUS, staying in NOTIFY', between(appended, t.notifyRaw)],
    ["APPEND → Tidings' own EXISTS/STATUS (tap)", between(appended, t.tidingsExists)],
    ["APPEND → Tidings' own STATUS (tap)", between(appended, t.tidingsStatus)],
    ["Tidings' share: line − floor", share, true],
    ['line − re-idling raw EXISTS', between(t.reidlingRaw, t.line), true],
    ['line − raw NOTIFY STATUS', between(t.notifyRaw, t.line), true],
    ["Tidings' own STATUS − floor (server's push vs IDLE)", between(t.stayingRaw, t.tidingsStatus)],
    ['raw NOTIFY STATUS − floor', between(t.stayingRaw, t.notifyRaw)],
    ["Tidings' own EXISTS/STATUS → line", own, true],
  ];
  for (const [label, values, judged] of rows.filter(([, values]) => values.length > 0)) {
    console.log(
      `  ${label.padEnd(52)} ${summarize(values)}${judged ? `  ${verdict(values)}` : ''}`,
    );
  }
  // The issue's wording also reads as distribution against distribution: the line's p50 and
  // p95 against the floor's, each message against its own APPEND. With both parties on their
  // own ~0.5 s server timer, per-message differences mostly say which timer ran first.
  const line = between(appended, t.line);
  const floor = between(appended, t.stayingRaw);
  if (line.length > 0 && floor.length > 0) {
    const p50 = quantile(line, 0.5) - quantile(floor, 0.5);
    const p95 = quantile(line, 0.95) - quantile(floor, 0.95);
    const met = p50 <= TARGET.p50 && p95 <= TARGET.p95;
    console.log(
      `  ${'distributions: line − floor at p50, at p95'.padEnd(52)} ` +
        `p50 ${p50.toFixed(1).padStart(7)}  p95 ${p95.toFixed(1).padStart(7)}` +
        `${' '.repeat(34)}target ≤ ${TARGET.p50} / ≤ ${TARGET.p95}: ${met ? 'met' : 'MISSED'}`,
    );
  }
  const announced = t.line.filter((at) => !Number.isNaN(at)).length;
  const inOrder = t.line.every((at, i) => i === 0 || at >= (t.line[i - 1] ?? 0));
  const kinds = new Map<string, number>();
  for (const kind of t.tidingsKind) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  console.log(
    `  announced ${announced} of ${t.sent.length}, duplicates ${t.lines - announced}, ` +
      `missing ${t.sent.length - announced}, lines in APPEND order: ${inOrder ? 'yes' : 'no'}; ` +
      `Tidings first told by ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
      `Tidings' connections at rest ${t.connections.maxOpen} (accepted ${t.connections.accepted})`,
  );
}

function verdict(values: number[]): string {
  const met = quantile(values, 0.5) <= TARGET.p50 && quantile(values, 0.95) <= TARGET.p95;
  return `target ≤ ${TARGET.p50} / ≤ ${TARGET.p95}: ${met ? 'met' : 'MISSED'}`;
}

// One row per message, ms from the first APPEND.
function printTrace(t: Timeline): void {
  const t0 = t.sent[0]?.at ?? 0;
  const f = (v: number | undefined) => ((v ?? Number.NaN) - t0).toFixed(0).padStart(8);
  console.log('      #  APPEND  staying reidling   notify  tidings     line  (tidings told by)');
  t.sent.forEach(({ at }, i) => {
    const cells = [
      at,
      t.stayingRaw[i],
      t.reidlingRaw[i],
      t.notifyRaw[i],
      t.tidingsExists[i],
      t.line[i],
    ];
    console.log(`  ${String(i).padStart(5)}${cells.map(f).join(' ')}  ${t.tidingsKind[i] ?? ''}`);
  });
}
