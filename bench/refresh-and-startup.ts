/**
 * Refresh latency (SIGUSR1 → every watcher idle again after its refresh resync) and start-up
 * (process start → every watcher idle), with 1 and 50 watched mailboxes, through the real
 * `tidings watch`.
 *
 *   npm run bench -- refresh-and-startup [--mailboxes 1,50] [--rounds 20]
 */
import { parseArgs } from 'node:util';
import {
  benchAccount,
  mailboxNames,
  pause,
  startBenchDovecot,
  startTimedWatch,
} from './support/fixture.js';
import { summarize } from './support/stats.js';

/** Runs the benchmark and prints its table. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mailboxes: { type: 'string', default: '1,50' },
      rounds: { type: 'string', default: '20' },
    },
  });
  const rounds = Number(values.rounds);
  for (const count of values.mailboxes.split(',').map(Number)) {
    const mailboxes = mailboxNames(count);
    const dovecot = await startBenchDovecot(count);
    const startups: number[] = [];
    const refreshes: number[] = [];
    try {
      for (let start = 0; start < Math.min(5, rounds); start++) {
        const watch = startTimedWatch({ accounts: [benchAccount(dovecot, mailboxes)] });
        try {
          startups.push((await watch.allIdle(mailboxes)) - watch.startedAt);
          if (start > 0) continue;
          for (let round = 0; round < rounds; round++) {
            const from = watch.proc.events.items.length;
            const signalled = performance.now();
            watch.proc.signal('SIGUSR1');
            // Each watcher reports syncing (refresh) then idle; wait for every idle after it.
            await Promise.all(
              mailboxes.map((mailbox) =>
                watch.proc.events.waitFor(
                  (e) => e.event === 'status' && e.mailbox === mailbox && e.detail === 'refresh',
                  `${mailbox} refresh`,
                  30_000,
                  from,
                ),
              ),
            );
            refreshes.push((await watch.allIdle(mailboxes, from)) - signalled);
            await pause(200);
          }
        } finally {
          await watch.proc.stop();
        }
      }
    } finally {
      await dovecot.stop();
    }
    console.log(`refresh and start-up: ${count} watched mailbox(es) (ms)`);
    console.log(`  SIGUSR1 → all idle    ${summarize(refreshes)}`);
    console.log(`  start → all idle      ${summarize(startups)}`);
  }
}
