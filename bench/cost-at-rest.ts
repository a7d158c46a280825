/**
 * Cost at rest: CPU time and RSS of `tidings watch` idling with 1, 10 and 50 watched mailboxes
 * in each watch mode (NOTIFY, the default `auto`, and IDLE per mailbox: six processes side by
 * side, each with its own Dovecot, default liveness: heartbeat 60 s), the connections each
 * holds, and the bytes it puts on the wire, counted by a tap between each process and its
 * Dovecot.
 *
 *   npm run bench -- cost-at-rest [--minutes 5] [--mailboxes 1,10,50]
 *                                 [--watch-mode auto,idle,idle:51]
 *
 * A watch mode may name the account's `maxConnections` after a colon: `idle` alone is the
 * default budget of 10 (8 mailboxes pushed by IDLE, the rest polled on one connection, one
 * spare), `idle:51` gives 50 mailboxes a connection each, as every mailbox had before NOTIFY.
 */
import { parseArgs } from 'node:util';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import {
  benchAccount,
  mailboxNames,
  parseWatchMode,
  pause,
  processUsage,
  startBenchDovecot,
  startTimedWatch,
} from './support/fixture.js';

/** Runs the benchmark and prints its table. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '5' },
      mailboxes: { type: 'string', default: '1,10,50' },
      'watch-mode': { type: 'string', default: 'auto,idle,idle:51' },
    },
  });
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) throw new Error(`--minutes wants a number > 0 (got "${values.minutes}")`);
  const counts = values.mailboxes.split(',').map(Number);
  const runs = values['watch-mode'].split(',').flatMap((spec) => {
    const [mode = '', limit] = spec.split(':');
    const maxConnections = limit === undefined ? undefined : Number(limit);
    if (maxConnections !== undefined && !(Number.isInteger(maxConnections) && maxConnections > 0)) {
      throw new Error(`--watch-mode wants MODE or MODE:MAXCONNECTIONS (got "${spec}")`);
    }
    // A budget above the mailbox count changes nothing for smaller counts: only the largest.
    const sized = maxConnections === undefined ? counts : [Math.max(...counts)];
    return sized.map((count) => ({ mode: parseWatchMode(mode), maxConnections, count }));
  });
  // One at a time: 50 IDLE logins at once from several processes would only queue at the gates.
  const setups = [];
  for (const setup of runs) setups.push(await start(setup));
  try {
    await pause(5_000); // let start-up garbage settle
    const started = performance.now();
    const before = setups.map((s) => processUsage(s.watch.proc.pid));
    setups.forEach((s) => s.startCounting());
    await pause(minutes * 60_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(`cost at rest: ${minutes} min idle, default liveness (heartbeat 60 s)`);
    setups.forEach((s, i) => {
      const after = processUsage(s.watch.proc.pid);
      const cpu = after.cpuSeconds - (before[i]?.cpuSeconds ?? 0);
      const open = s.tap.open;
      const perHour = s.bytes() * (3600 / seconds);
      console.log(
        `  ${s.mode.padEnd(7)} ${String(s.count).padStart(2)} mailbox(es): ${open} connection(s) open ` +
          `(${s.tap.accepted} accepted); CPU ${cpu.toFixed(2)} s = ` +
          `${((cpu / seconds) * 100).toFixed(3)}% of a core; ` +
          `RSS ${before[i]?.rssMb.toFixed(1)} → ${after.rssMb.toFixed(1)} MB; ` +
          `wire ${(perHour / 1024).toFixed(1)} KiB per hour ` +
          `(${(perHour / Math.max(1, open) / 1024).toFixed(1)} per connection)`,
      );
    });
  } finally {
    for (const s of setups) {
      await s.watch.proc.stop();
      await s.tap.close();
      await s.dovecot.stop();
    }
  }
}

async function start({
  mode,
  maxConnections,
  count,
}: {
  mode: ReturnType<typeof parseWatchMode>;
  maxConnections: number | undefined;
  count: number;
}) {
  const mailboxes = mailboxNames(count);
  const dovecot = await startBenchDovecot(count);
  let bytes = 0;
  let counting = false;
  const tap = await startFaultProxy(dovecot.port, '127.0.0.1', (chunk) => {
    if (counting) bytes += chunk.length;
  });
  const watch = startTimedWatch({
    accounts: [
      benchAccount(dovecot, mailboxes, tap.port, {
        watchMode: mode,
        ...(maxConnections ? { maxConnections } : {}),
      }),
    ],
  });
  await watch.allIdle(mailboxes);
  return {
    mode: maxConnections ? `${mode}:${maxConnections}` : mode,
    count,
    dovecot,
    tap,
    watch,
    startCounting: () => (counting = true),
    bytes: () => bytes,
  };
}
