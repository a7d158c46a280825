/**
 * imapflow serializes each command and server response for its log only when the logger says
 * it takes that level (imap-logger.ts): the entries it hands our adapter over a real exchange
 * with a model server are what it built. The options are those the session gives imapflow.
 */
import { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, systemClock, type Logger } from '../../../app/main/engine/base/ports.js';
import { toImapFlowOptions } from '../../../app/main/engine/imap/session-options.js';
import { seededRandom } from '../../support/interleaving.js';
import { newMessageId } from '../../support/messages.js';
import { startModelImapServer, type ModelImapServer } from '../../support/model-imap-server.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

interface Entry {
  level: string;
  /** 'c' for a command imapflow sent, 's' for a server response, else its own message. */
  src: unknown;
}

let server: ModelImapServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * Logs in, STATUSes, EXAMINEs, hears of a delivery and logs out, with `logger` behind the
 * adapter; `enableAll` stands in an `isLevelEnabled` that takes every level (the control).
 * Returns what imapflow handed the adapter and what it answered for debug and trace.
 */
async function exchange(logger: Logger, enableAll = false) {
  server = await startModelImapServer({ mailboxes: ['INBOX', 'Work'], random: seededRandom(7) });
  const options = toImapFlowOptions(
    {
      host: '127.0.0.1',
      port: server.port,
      tls: 'none',
      user: 'ann',
      credentials: { kind: 'password', password: 'pw' },
      commandTimeoutMs: 5_000,
      socketTimeoutMs: 60_000,
      clock: systemClock,
      logger,
      label: 'a/INBOX',
    },
    {},
  );
  const adapter = options.logger as unknown as Record<string, unknown>;
  const entries: Entry[] = [];
  for (const level of LEVELS) {
    const method = adapter[level] as (entry: { src?: unknown }) => void;
    adapter[level] = (entry: { src?: unknown }) => {
      entries.push({ level, src: entry?.src });
      method(entry);
    };
  }
  if (enableAll) adapter.isLevelEnabled = () => true;
  const client = new ImapFlow(options);
  client.on('error', () => {});
  await client.connect();
  await client.status('Work', { messages: true });
  await client.mailboxOpen('INBOX', { readOnly: true });
  const heard = new Promise((resolve) => client.once('exists', resolve));
  server.deliver('INBOX', newMessageId());
  await client.noop();
  await heard;
  const internals = client as unknown as { isLogLevelEnabled(level: string): boolean };
  const enabled = {
    debug: internals.isLogLevelEnabled('debug'),
    trace: internals.isLogLevelEnabled('trace'),
  };
  await client.logout();
  return { entries, enabled };
}

describe("imapflow's logger", () => {
  it('has imapflow build no protocol line when debug lines are dropped', async () => {
    const lines: string[] = [];
    const quiet: Logger = { ...silentLogger, debug: (message) => lines.push(message) };
    const { entries, enabled } = await exchange(quiet);
    expect(enabled).toEqual({ debug: false, trace: false });
    // imapflow's own short messages still come ("Connection closed" at debug); the commands
    // and responses, which cost a serialization each, do not.
    expect(entries.filter((entry) => entry.src === 's' || entry.src === 'c')).toEqual([]);
    expect(lines).toEqual([]);
  });

  it("keeps protocol lines off with --verbose, and forwards imapflow's own messages", async () => {
    const lines: string[] = [];
    const verbose: Logger = {
      ...silentLogger,
      debugEnabled: true,
      debug: (message) => lines.push(message),
    };
    const { entries, enabled } = await exchange(verbose);
    expect(enabled).toEqual({ debug: false, trace: false });
    expect(entries.filter((entry) => entry.src === 's' || entry.src === 'c')).toEqual([]);
    // What imapflow says at info and above reaches the log, labelled.
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.startsWith('a/INBOX: imap: '))).toBe(true);
  });

  it('would have every command and response serialized if the level were on (the control)', async () => {
    const { entries } = await exchange(silentLogger, true);
    const sources = new Set(entries.map((entry) => entry.src));
    expect([sources.has('c'), sources.has('s')]).toEqual([true, true]);
  });
});
