/**
 * The preview's cost (issue 24): what reading the first line of a message's text adds, with
 * the real `tidings watch --json` against Dovecot, through a tap that timestamps the news
 * Tidings gets (EXISTS, or NOTIFY's STATUS) and counts the FETCH commands it sends.
 *
 * - `single`: messages one at a time (~2 KB), far enough apart that each is its own sync, with
 *   previews on and off. For each message: APPEND → its line, and Tidings' share (the news
 *   reaching Tidings → its line, without Dovecot's ~0.5 s batching). Two shapes: `alternative`
 *   (text/plain first: part 1, read in the FETCH of the envelope) and `html-first`
 *   (multipart/alternative with the HTML first: its text/plain is part 2, one more FETCH).
 *   The burst threshold is raised to 1,000 here so that no message counts as a storm.
 * - `burst`: 1,000 messages by one MOVE (found whole by one sync) and by APPENDs back to back
 *   (a storm spread over syncs), default burst threshold, previews on and off: the FETCH
 *   commands, the preview FETCHes among them, the messages previewed, and last delivery →
 *   last line.
 *
 *   npm run bench -- preview [--parts single,burst] [--shapes alternative,html-first]
 *        [--messages 30] [--spacing 700] [--burst 1000] [--watch-mode auto|idle]
 */
import { parseArgs } from 'node:util';
import { newMessageId } from '../test/support/messages.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import {
  benchAccount,
  deliverBurst,
  newMailLines,
  parseWatchMode,
  pause,
  startBenchDovecot,
  startTimedWatch,
  waitUntil,
  type BurstMode,
} from './support/fixture.js';
import { parseStatusCount } from './support/raw-idle-client.js';
import { summarize } from './support/stats.js';

/** What the tap saw: news of INBOX's message count, and the commands that fetch. */
interface Wire {
  news: Array<{ count: number; at: number }>;
  fetches: number;
  /** FETCHes of envelopes that also asked for BODYSTRUCTURE and part 1's first bytes. */
  withStructure: number;
  /** FETCHes of a part's first bytes alone (a preview whose text is not part 1). */
  partOnly: number;
  /** Messages named by the FETCHes that asked for a part's first bytes. */
  previewedUids: number;
  serverBytes: number;
}

/** How many UIDs a UID set names ("3:5,8" is 4). */
function uidCount(set: string): number {
  return set.split(',').reduce((sum, range) => {
    const [from = 0, to = from] = range.split(':').map(Number);
    return sum + (to - from + 1);
  }, 0);
}

async function startWireTap(port: number) {
  const wire: Wire = {
    news: [],
    fetches: 0,
    withStructure: 0,
    partOnly: 0,
    previewedUids: 0,
    serverBytes: 0,
  };
  const proxy = await startFaultProxy(port, '127.0.0.1', (chunk, fromClient) => {
    const at = performance.now();
    const lines = chunk.toString('latin1').split('\r\n');
    if (!fromClient) {
      wire.serverBytes += chunk.length;
      for (const line of lines) {
        const exists = /^\* (\d+) EXISTS$/.exec(line)?.[1];
        const count = exists !== undefined ? Number(exists) : parseStatusCount(line, 'INBOX');
        if (count !== undefined) wire.news.push({ count, at });
      }
      return;
    }
    for (const line of lines) {
      if (!/^\S+ (UID )?FETCH /i.test(line)) continue;
      wire.fetches++;
      if (!/BODY\.PEEK\[[\d.]+\]</i.test(line)) continue;
      if (/BODYSTRUCTURE/i.test(line)) wire.withStructure++;
      else wire.partOnly++;
      wire.previewedUids += uidCount(/FETCH ([\d,:]+)/i.exec(line)?.[1] ?? '');
    }
  });
  return { wire, proxy };
}

type Shape = 'alternative' | 'html-first';

/** A message as mail clients send it: multipart/alternative, ~2 KB, text first unless not. */
function realisticMessage(i: number, shape: Shape = 'alternative'): string {
  const text = `Hi, here are the notes from meeting ${i}. ${'Lorem ipsum dolor sit amet. '.repeat(20)}`;
  const plain = [
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    text,
  ];
  const html = [
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    `<html><body><p>${text}</p></body></html>`,
  ];
  return [
    'From: Ann Sender <ann@example.test>',
    'To: me@example.test',
    `Subject: Notes ${i}`,
    `Message-ID: ${newMessageId()}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    ...(shape === 'alternative' ? [...plain, ...html] : [...html, ...plain]),
    '--alt--',
    '',
  ].join('\r\n');
}

/** Runs the benchmark and prints its figures. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      parts: { type: 'string', default: 'single,burst' },
      shapes: { type: 'string', default: 'alternative,html-first' },
      messages: { type: 'string', default: '30' },
      spacing: { type: 'string', default: '700' },
      burst: { type: 'string', default: '1000' },
      'watch-mode': { type: 'string', default: 'auto' },
    },
  });
  const watchMode = parseWatchMode(values['watch-mode']);
  const parts = values.parts.split(',');
  if (parts.includes('single')) {
    for (const shape of values.shapes.split(',')) {
      if (shape !== 'alternative' && shape !== 'html-first')
        throw new Error(`unknown shape "${shape}"`);
      console.log(
        `preview: single messages (${values.messages}, ${shape}, ${values.spacing} ms apart), ` +
          `watchMode ${watchMode}, burst threshold 1000 (ms)`,
      );
      for (const preview of [false, true]) {
        await single(preview, shape, Number(values.messages), Number(values.spacing), watchMode);
      }
    }
  }
  if (parts.includes('burst')) {
    for (const mode of ['move', 'append'] as const) {
      console.log(
        `preview: burst of ${values.burst} by ${mode === 'move' ? 'one MOVE' : 'APPENDs back to back'}, ` +
          `watchMode ${watchMode}, default burst threshold (5)`,
      );
      for (const preview of [false, true]) {
        await burst(preview, mode, Number(values.burst), watchMode);
      }
    }
  }
}

async function single(
  preview: boolean,
  shape: Shape,
  count: number,
  spacingMs: number,
  watchMode: string,
) {
  const dovecot = await startBenchDovecot(1);
  const { wire, proxy } = await startWireTap(dovecot.port);
  const account = benchAccount(dovecot, ['INBOX'], proxy.port, { watchMode });
  const watch = startTimedWatch({
    accounts: [account],
    notifications: { preview, burstThreshold: 1000 },
  });
  try {
    await watch.allIdle(['INBOX']);
    const sent: number[] = [];
    await dovecot.withClient('bench', async (client) => {
      for (let i = 0; i < count; i++) {
        await client.append('INBOX', realisticMessage(i, shape));
        sent.push(performance.now());
        await pause(spacingMs);
      }
    });
    await waitUntil(() => newMailLines(watch).total >= count, 30_000);
    const lines = watch.proc.events.filter((e) => e.event === 'new-mail');
    const lineAt = lines.map((line) => watch.arrivals.get(line) ?? Number.NaN);
    const newsAt = lines.map((_, k) => wire.news.find((n) => n.count >= k + 1)?.at ?? Number.NaN);
    const withPreview = lines.filter((line) => typeof line.preview === 'string').length;
    console.log(
      `  previews ${preview ? 'on ' : 'off'}: ${withPreview}/${lines.length} lines with a preview`,
    );
    console.log(
      `    APPEND → line          ${summarize(lineAt.map((at, k) => at - (sent[k] ?? NaN)))}`,
    );
    console.log(
      `    news → line (Tidings)  ${summarize(lineAt.map((at, k) => at - (newsAt[k] ?? NaN)))}`,
    );
    console.log(
      `    FETCH commands ${wire.fetches} (${wire.withStructure} with BODYSTRUCTURE and part 1, ` +
        `${wire.partOnly} of another part alone), ` +
        `${(wire.serverBytes / count / 1024).toFixed(1)} KiB from the server per message`,
    );
  } finally {
    await watch.proc.stop();
    await proxy.close();
    await dovecot.stop();
  }
}

async function burst(preview: boolean, mode: BurstMode, count: number, watchMode: string) {
  const dovecot = await startBenchDovecot(1);
  const messages = Array.from({ length: count }, (_, i) => realisticMessage(i));
  if (mode === 'move') {
    await dovecot.withClient('bench', async (client) => {
      await client.mailboxCreate('Staging');
      for (const message of messages) await client.append('Staging', message);
    });
  }
  const { wire, proxy } = await startWireTap(dovecot.port);
  const account = benchAccount(dovecot, ['INBOX'], proxy.port, { watchMode });
  const watch = startTimedWatch({ accounts: [account], notifications: { preview } });
  try {
    await watch.allIdle(['INBOX']);
    const before = { fetches: wire.fetches, bytes: wire.serverBytes };
    const started = performance.now();
    const delivered = await dovecot.withClient('bench', (client) =>
      deliverBurst(client, mode, messages),
    );
    await waitUntil(() => newMailLines(watch).firstAt.size >= count, 120_000);
    const { firstAt, total } = newMailLines(watch);
    const last = Math.max(...firstAt.values());
    const previewed = watch.proc.events.filter(
      (e) => e.event === 'new-mail' && typeof e.preview === 'string',
    ).length;
    console.log(
      `  previews ${preview ? 'on ' : 'off'}: lines ${total}; FETCH commands ${wire.fetches - before.fetches} ` +
        `(${wire.withStructure} with BODYSTRUCTURE and part 1, ${wire.partOnly} of a part alone, ` +
        `${wire.previewedUids} messages asked, ` +
        `${previewed} lines with a preview); ${((wire.serverBytes - before.bytes) / 1024).toFixed(0)} KiB ` +
        `from the server; delivering ${(delivered - started).toFixed(0)} ms, last delivery → ` +
        `last line ${(last - delivered).toFixed(0)} ms`,
    );
  } finally {
    await watch.proc.stop();
    await proxy.close();
    await dovecot.stop();
  }
}
