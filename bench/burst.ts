/**
 * Burst: 1,000 new messages in INBOX while `tidings watch --json` idles on it with desktop
 * popups on (default burst threshold), shown over D-Bus to the tests' recording notification
 * server on a private session bus: the real client runs, nothing reaches a desktop. Two ways in: `move`, one MOVE of 1,000 messages
 * from an unwatched Staging mailbox (all at once), and `append`, APPENDs back to back (a
 * storm spread over seconds). Counts the `new-mail` lines (every message must have one), the
 * Notify calls and how many replaced a popup (replaces_id), and how long after its
 * line each message was first shown by a popup (its own, or a summary counting it).
 *
 *   npm run bench -- burst [--messages 1000] [--modes move,append] [--trace]
 *
 * `--trace` lists every Notify call: ms after the last MOVE or APPEND, id, title.
 */
import { parseArgs } from 'node:util';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import {
  countPopups,
  printCalls,
  startPopupServer,
  type PopupCall,
} from './support/popup-server.js';
import {
  benchAccount,
  deliverBurst,
  newMailLines,
  startBenchDovecot,
  startTimedWatch,
  waitUntil,
  type BurstMode,
  type TimedWatch,
} from './support/fixture.js';
import { summarize } from './support/stats.js';

const SENDERS = ['Ann Sender <ann@example.test>', 'Bob <bob@example.test>', 'Carol <c@x.test>'];
// The popups are done once no Notify has come for this long.
const QUIET_MS = 1_500;

/** Runs the benchmark and prints its figures, one block per mode. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '1000' },
      modes: { type: 'string', default: 'move,append' },
      trace: { type: 'boolean', default: false },
    },
  });
  for (const mode of values.modes.split(',')) {
    if (mode !== 'move' && mode !== 'append') throw new Error(`unknown mode "${mode}"`);
    await measure(mode, Number(values.messages), values.trace);
  }
}

async function measure(mode: BurstMode, count: number, trace: boolean): Promise<void> {
  const dovecot = await startBenchDovecot(1);
  const messages = Array.from({ length: count }, (_, i) =>
    buildMessage({ messageId: newMessageId(), subject: `burst ${i}`, from: SENDERS[i % 3] }),
  );
  if (mode === 'move') {
    await dovecot.withClient('bench', async (client) => {
      await client.mailboxCreate('Staging');
      for (const message of messages) await client.append('Staging', message);
    });
  }
  const popupServer = await startPopupServer();
  const watch = startTimedWatch({ accounts: [benchAccount(dovecot, ['INBOX'])] }, popupServer);
  try {
    await watch.allIdle(['INBOX']);
    const started = performance.now();
    const delivered = await dovecot.withClient('bench', (client) =>
      deliverBurst(client, mode, messages),
    );
    const allLines = () => newMailLines(watch).firstAt.size >= count;
    await waitUntil(allLines, 120_000);
    let calls = popupServer.calls().length;
    // Quiet since the last popup, or since the last line when none came yet (a popup may
    // come after the last line: over D-Bus the first one opens the connection).
    const linesDone = performance.now();
    await waitUntil(() => {
      const now = popupServer.calls();
      const last = now.at(-1)?.at ?? linesDone;
      const settled = now.length === calls && performance.now() - last > QUIET_MS;
      calls = now.length;
      return settled;
    }, 30_000);
    report({ mode, count, started, delivered, watch, popups: popupServer.calls() }, trace);
  } finally {
    await watch.proc.stop();
    await popupServer.stop();
    await dovecot.stop();
  }
}

interface BurstRun {
  mode: BurstMode;
  count: number;
  started: number;
  /** When the last MOVE or APPEND completed. */
  delivered: number;
  watch: TimedWatch;
  popups: PopupCall[];
}

// Prints one mode's figures; times are from when the last MOVE or APPEND completed.
function report({ mode, count, started, delivered, watch, popups }: BurstRun, trace: boolean) {
  const { firstAt, total } = newMailLines(watch);
  const lines = watch.proc.events
    .filter((e) => e.event === 'new-mail')
    .map((e) => ({ subject: String(e.subject), at: watch.arrivals.get(e) ?? Number.NaN }));
  const counts = countPopups(popups);
  const summaries = popups.filter((call) => SUMMARY_TITLE.test(call.title));
  const last = (values: number[]) => Math.max(...values) - delivered;
  const how = mode === 'move' ? 'one MOVE from Staging' : 'APPENDs back to back';
  console.log(`burst: ${count} messages by ${how}, popups on (recording notification server) (ms)`);
  console.log(`  delivering took             ${(delivered - started).toFixed(0)} ms`);
  console.log(
    `  new-mail lines ${total} (${firstAt.size} distinct of ${count}); last ` +
      `${mode === 'move' ? 'MOVE' : 'APPEND'} → last line ${last([...firstAt.values()]).toFixed(0)} ms, ` +
      `→ last popup ${last(popups.map((call) => call.at)).toFixed(0)} ms`,
  );
  console.log(
    `  Notify calls ${counts.calls}: ${counts.calls - summaries.length} single, ` +
      `${summaries.length} summaries; ${counts.replacements} with replaces_id; ` +
      `${counts.distinct} distinct notifications`,
  );
  console.log(`  last popup: "${popups.at(-1)?.title ?? '(none)'}"`);
  console.log(`  line → first popup showing it  ${summarize(shownAfter(lines, popups))}`);
  if (trace) printCalls(popups, delivered);
  const warnings = watch.proc.stderr().match(/desktop notification failed.*/g) ?? [];
  for (const warning of warnings) console.log(`  stderr: ${warning}`);
}

const SUMMARY_TITLE = /^(\d+) new messages in /;

// For the k-th line, the first popup that shows its message: its own (the body's first line
// is the subject; a preview may follow it), or else the first summary counting at least k
// messages.
function shownAfter(lines: Array<{ subject: string; at: number }>, popups: PopupCall[]): number[] {
  return lines.map(({ subject, at }, k) => {
    const shown =
      popups.find((call) => call.body.split('\n')[0] === subject) ??
      popups.find((call) => Number(SUMMARY_TITLE.exec(call.title)?.[1] ?? 0) >= k + 1);
    return (shown?.at ?? Number.NaN) - at;
  });
}
