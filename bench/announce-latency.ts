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
 *   npm run bench -- announce-latency [--streams 50@200,200@100] [--mailboxes 1,50]
 *                                     [--floors staying,reidling] [--popups] [--trace]
 *
 * A stream is COUNT@SPACING_MS. `--floors staying` leaves the re-idling client out (its
 * FETCHes touch the mailbox index too). `--popups` turns desktop popups on, through a fake
 * notify-send; `--trace` prints when each client saw each message, and each popup.
 */
import { parseArgs } from 'node:util';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import { startExistsTap } from './support/exists-tap.js';
import { countPopups, createFakeNotifySend, printCalls } from './support/fake-notify-send.js';
import {
  benchAccount,
  mailboxNames,
  newMailLines,
  pause,
  startBenchDovecot,
  startTimedWatch,
  waitUntil,
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
  tidingsExists: number[];
  lines: number;
}

/** Runs the benchmark and prints one block per stream and mailbox count. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      streams: { type: 'string', default: '50@200,200@100' },
      mailboxes: { type: 'string', default: '1,50' },
      popups: { type: 'boolean', default: false },
      floors: { type: 'string', default: 'staying,reidling' },
      trace: { type: 'boolean', default: false },
    },
  });
  for (const stream of values.streams.split(',').map(parseStream)) {
    for (const mailboxCount of values.mailboxes.split(',').map(Number)) {
      const notifySend = values.popups ? createFakeNotifySend() : undefined;
      const reidling = values.floors.split(',').includes('reidling');
      const timeline = await measure(stream, mailboxCount, notifySend, reidling);
      const popups = notifySend ? 'on (fake notify-send)' : 'off';
      console.log(
        `announce-latency: ${stream.messages} messages ${stream.spacingMs} ms apart, ` +
          `${mailboxCount} watched mailbox(es), default burst threshold, popups ${popups} (ms)`,
      );
      report(timeline);
      if (notifySend) {
        const counts = countPopups(notifySend.calls());
        console.log(
          `  notify-send calls ${counts.calls} (${counts.replacements} with --replace-id, ` +
            `${counts.distinct} distinct notifications)`,
        );
      }
      if (values.trace) printTrace(timeline);
      if (values.trace && notifySend) printCalls(notifySend.calls(), timeline.sent[0]?.at ?? 0);
    }
  }
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
  notifySend: Parameters<typeof startTimedWatch>[1],
  withReidling: boolean,
): Promise<Timeline> {
  const mailboxes = mailboxNames(mailboxCount);
  const dovecot = await startBenchDovecot(mailboxCount);
  const tap = await startExistsTap(dovecot.port);
  const watch = startTimedWatch(
    { accounts: [benchAccount(dovecot, mailboxes, tap.port)] },
    notifySend,
  );
  try {
    await watch.allIdle(mailboxes);
    const staying = await startRawIdleClient(dovecot.port, 'bench', 'pw');
    const reidling = withReidling
      ? await startRawIdleClient(dovecot.port, 'bench', 'pw', { reidle: true })
      : undefined;
    const sent: Timeline['sent'] = [];
    await dovecot.withClient('bench', async (client) => {
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
    const { firstAt, total } = newMailLines(watch);
    // INBOX grows by one per message: the first EXISTS at or above i + 1 covers message i.
    const covered = (seen: Seen) =>
      sent.map((_, i) => seen.find((e) => e.count >= i + 1)?.at ?? Number.NaN);
    return {
      sent,
      line: sent.map(({ id }) => firstAt.get(id) ?? Number.NaN),
      stayingRaw: covered(staying.exists),
      reidlingRaw: covered(reidling?.exists ?? []),
      tidingsExists: covered(tap.exists),
      lines: total,
    };
  } finally {
    await watch.proc.stop();
    await tap.close();
    await dovecot.stop();
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
    ["APPEND → Tidings' own EXISTS (tap)", between(appended, t.tidingsExists)],
    ["Tidings' share: line − floor", share, true],
    ['line − re-idling raw EXISTS', between(t.reidlingRaw, t.line), true],
    ["Tidings' own EXISTS → line", own, true],
  ];
  for (const [label, values, judged] of rows.filter(([, values]) => values.length > 0)) {
    console.log(
      `  ${label.padEnd(46)} ${summarize(values)}${judged ? `  ${verdict(values)}` : ''}`,
    );
  }
  const announced = t.line.filter((at) => !Number.isNaN(at)).length;
  const inOrder = t.line.every((at, i) => i === 0 || at >= (t.line[i - 1] ?? 0));
  console.log(
    `  announced ${announced} of ${t.sent.length}, duplicates ${t.lines - announced}, ` +
      `missing ${t.sent.length - announced}, lines in APPEND order: ${inOrder ? 'yes' : 'no'}`,
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
  console.log('      #  APPEND  staying reidling  tidings     line');
  t.sent.forEach(({ at }, i) => {
    const cells = [at, t.stayingRaw[i], t.reidlingRaw[i], t.tidingsExists[i], t.line[i]];
    console.log(`  ${String(i).padStart(5)}${cells.map(f).join(' ')}`);
  });
}
