/**
 * Popups that follow the mailbox (issue 24, item 2): from another client's STORE \Seen or
 * EXPUNGE of a message Tidings announced → its `read` or `gone` line on `tidings watch
 * --json` (the moment the popup is withdrawn: the same event closes it), over NOTIFY and over
 * IDLE, beside the floor: a bare client in IDLE on INBOX that timestamps the `* n FETCH
 * (FLAGS …)` or `* n EXPUNGE` the server sends it for the same change.
 *
 *   npm run bench -- withdraw [--rounds 20] [--watch-mode notify,idle]
 *
 * Each round APPENDs a message to INBOX, waits for its `new-mail` line, then marks it \Seen
 * (even rounds) or deletes it (odd rounds) from another connection; the time runs from that
 * command's completion. Rounds are 1 s apart.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import {
  benchAccount,
  parseWatchMode,
  pause,
  startBenchServer,
  startTimedWatch,
  waitUntil,
} from './support/fixture.js';
import { summarize } from './support/stats.js';

/** Runs the benchmark and prints its figures. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '20' },
      'watch-mode': { type: 'string', default: 'notify,idle' },
    },
  });
  const rounds = Number(values.rounds);
  for (const mode of values['watch-mode'].split(',').map(parseWatchMode)) {
    await runMode(mode, rounds);
  }
}

async function runMode(mode: 'auto' | 'notify' | 'idle', rounds: number): Promise<void> {
  const server = await startBenchServer('dovecot', 1);
  const watch = startTimedWatch({
    accounts: [benchAccount(server, ['INBOX'], server.port, { watchMode: mode })],
  });
  const floor = await startFloorClient(server.port);
  try {
    await watch.allIdle(['INBOX']);
    const latency = { read: [] as number[], gone: [] as number[] };
    const floors = { read: [] as number[], gone: [] as number[] };
    let missing = 0;
    for (let round = 0; round < rounds; round++) {
      const messageId = newMessageId();
      await server.withClient((client) => client.append('INBOX', buildMessage({ messageId })));
      const announced = await watch.proc.events.waitFor(
        (e) => e.event === 'new-mail' && e.messageId === messageId,
        'the new mail',
        10_000,
      );
      await pause(1_000);
      const kind = round % 2 === 0 ? 'read' : 'gone';
      const floorFrom = floor.lines.length;
      const uid = String(announced.uid);
      await server.withClient(async (client) => {
        await client.mailboxOpen('INBOX');
        if (kind === 'read') await client.messageFlagsAdd(uid, ['\\Seen'], { uid: true });
        else await client.messageDelete(uid, { uid: true });
      });
      const changedAt = performance.now();
      const seen = await waitUntil(
        () =>
          watch.proc.events.filter((e) => e.event === kind && e.uid === announced.uid).length > 0,
        10_000,
      );
      const line = watch.proc.events.filter((e) => e.event === kind && e.uid === announced.uid)[0];
      if (!seen || !line) {
        missing++;
        continue;
      }
      latency[kind].push((watch.arrivals.get(line) ?? Number.NaN) - changedAt);
      const pattern = kind === 'read' ? / FETCH \(.*\\Seen/i : / EXPUNGE$/i;
      const raw = floor.lines.slice(floorFrom).find((entry) => pattern.test(entry.line));
      if (raw) floors[kind].push(raw.at - changedAt);
    }
    const lines = watch.proc.events.filter((e) => e.event === 'read' || e.event === 'gone');
    console.log(
      `withdraw: Dovecot, watchMode ${mode}, ${rounds} rounds (STORE \\Seen and EXPUNGE in turn)`,
    );
    for (const kind of ['read', 'gone'] as const) {
      console.log(`  change → ${kind} line     ${summarize(latency[kind])}`);
      console.log(`  change → raw IDLE floor ${summarize(floors[kind])}`);
    }
    console.log(`  ${lines.length} read/gone line(s) for ${rounds} change(s), ${missing} missing`);
  } finally {
    floor.close();
    await watch.proc.stop();
    await server.stop();
  }
}

/** A bare client in IDLE on INBOX: every untagged line, timestamped. */
async function startFloorClient(
  port: number,
): Promise<{ lines: Array<{ line: string; at: number }>; close(): void }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  const lines: Array<{ line: string; at: number }> = [];
  let buffer = '';
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let at = buffer.indexOf('\r\n'); at >= 0; at = buffer.indexOf('\r\n')) {
      lines.push({ line: buffer.slice(0, at), at: performance.now() });
      buffer = buffer.slice(at + 2);
    }
  });
  const answered = (tag: string) =>
    waitUntil(() => lines.some((entry) => entry.line.startsWith(`${tag} `)), 5_000);
  await waitUntil(() => lines.length > 0, 5_000);
  socket.write('a1 LOGIN bench pw\r\n');
  await answered('a1');
  socket.write('a2 SELECT INBOX\r\n');
  await answered('a2');
  socket.write('a3 IDLE\r\n');
  await waitUntil(() => lines.some((entry) => entry.line.startsWith('+')), 5_000);
  return { lines, close: () => socket.destroy() };
}
