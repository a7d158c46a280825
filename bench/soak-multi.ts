/**
 * Soak of the scenario that once lost a message (issue 19): `tidings watch --json --verbose`
 * watching INBOX, Work and Lists of one account on a real Dovecot (NOTIFY by default), nine
 * messages delivered round robin (INBOX, Work, Lists, INBOX, …) `--pause-ms` apart, with
 * `--load` busy sibling processes taking the CPU. Repeated `--runs` times, each on a new user;
 * prints runs, losses and repeats, and for each loss the wire around it (`--keep DIR`).
 *
 *   npm run bench -- soak-multi [--runs 30] [--pause-ms 1000] [--load 2] [--watch-mode auto]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDovecot } from '../test/support/dovecot.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import { startWatch, writeConfig } from '../test/support/watch-process.js';
import { parseWatchMode, pause, waitUntil } from './support/fixture.js';

const MAILBOXES = ['INBOX', 'Work', 'Lists'];

/** A sibling process that spins on one core until killed. */
function busySibling(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
}

/** Runs the soak and prints its figures. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '30' },
      messages: { type: 'string', default: '9' },
      'pause-ms': { type: 'string', default: '1000' },
      load: { type: 'string', default: '2' },
      // Messages in INBOX before the watcher starts (taken as read at the first watch).
      seed: { type: 'string', default: '1' },
      'watch-mode': { type: 'string', default: 'auto' },
      keep: { type: 'string', default: mkdtempSync(path.join(tmpdir(), 'tidings-soak-multi-')) },
    },
  });
  const runs = Number(values.runs);
  const count = Number(values.messages);
  const pauseMs = Number(values['pause-ms']);
  const watchMode = parseWatchMode(values['watch-mode']);
  const keep = values.keep;
  mkdirSync(keep, { recursive: true });
  const dovecot = await startDovecot({});
  const load = Array.from({ length: Number(values.load) }, busySibling);
  let lost = 0;
  let repeated = 0;
  let lossyRuns = 0;
  try {
    for (let i = 1; i <= runs; i++) {
      const user = `soak${i}`;
      dovecot.addUser(user, 'pw');
      await dovecot.withClient(user, async (client) => {
        for (const mailbox of MAILBOXES.slice(1)) await client.mailboxCreate(mailbox);
      });
      for (let n = 0; n < Number(values.seed); n++) {
        await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'before' })]);
      }
      const wire: string[] = [];
      const t0 = performance.now();
      const stamp = () => ((performance.now() - t0) / 1000).toFixed(3).padStart(8);
      const proxy = await startFaultProxy(dovecot.port, '127.0.0.1', (chunk, fromClient) => {
        for (const line of chunk.toString('latin1').split('\r\n')) {
          if (line) wire.push(`${stamp()} ${fromClient ? 'C' : 'S'} ${line}`);
        }
      });
      const proc = startWatch({
        configFile: writeConfig({
          accounts: [
            {
              id: 'b',
              host: dovecot.host,
              port: proxy.port,
              tls: 'none',
              allowInsecureAuth: true,
              user,
              password: 'pw',
              mailboxes: MAILBOXES,
              watchMode,
            },
          ],
        }),
        stateDir: mkdtempSync(path.join(tmpdir(), 'tidings-soak-state-')),
        args: ['--verbose'],
      });
      try {
        await Promise.all(
          MAILBOXES.map((mailbox) =>
            proc.events.waitFor(
              (e) => e.event === 'status' && e.mailbox === mailbox && e.state === 'idle',
              `${mailbox} idle`,
              60_000,
            ),
          ),
        );
        const ids: string[] = [];
        for (let n = 0; n < count; n++) {
          const mailbox = MAILBOXES[n % MAILBOXES.length] ?? 'INBOX';
          const id = newMessageId();
          ids.push(id);
          wire.push(`${stamp()} -- deliver #${n + 1} ${id} to ${mailbox}`);
          await dovecot.append(user, mailbox, [buildMessage({ messageId: id, subject: mailbox })]);
          if (n + 1 < count) await pause(pauseMs);
        }
        const announced = () => proc.events.items.filter((e) => e.event === 'new-mail');
        await waitUntil(() => announced().length >= count, 10_000);
        await pause(500);
        const seen = announced().map((e) => String(e.messageId));
        const missing = ids.filter((id) => !seen.includes(id));
        const twice = seen.length - new Set(seen).size;
        lost += missing.length;
        repeated += twice;
        if (missing.length > 0 || twice > 0) {
          lossyRuns++;
          const file = path.join(keep, `run-${i}.log`);
          writeFileSync(
            file,
            [
              `missing: ${missing.join(' ')}`,
              `repeated: ${twice}`,
              '--- wire',
              ...wire,
              '--- stderr',
              proc.stderr(),
            ].join('\n'),
          );
          console.log(`  run ${i}: ${missing.length} lost, ${twice} repeated (${file})`);
        }
      } finally {
        await proc.stop();
        await proxy.close();
      }
    }
  } finally {
    for (const sibling of load) sibling.kill();
    await dovecot.stop();
  }
  console.log(
    `soak-multi: ${runs} runs × ${count} messages round robin over ${MAILBOXES.join(', ')} ` +
      `${pauseMs} ms apart, ${load.length} busy sibling(s), watchMode ${watchMode}: ` +
      `${lost} lost, ${repeated} repeated, in ${lossyRuns} run(s)`,
  );
}
