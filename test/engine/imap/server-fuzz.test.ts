/**
 * Issue 22, "make it stay fixed": whatever a server says, the engine neither crashes nor
 * leaks, every failure it reports is one to retry (protocol, network, timeout) in a clean
 * status, an answer past a limit ends the connection naming the limit, and the mail delivered
 * after the bad answer is announced exactly once. Each case is one hostile turn (test/support/
 * hostile-responses.ts) said once by a model server, at its greeting or in answer to a command,
 * to the real engine (supervisor, watchers, imapflow) watching INBOX and Work over NOTIFY or
 * IDLE; two messages come after the watch began, two more once the turn was said.
 * `TIDINGS_FUZZ_SEEDS` sets the number of cases (`npm run fuzz`: 2000), `TIDINGS_FUZZ_SEED`
 * the seed.
 */
import type net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatcherStatus } from '../../../app/common/account-status.js';
import { settingsSchema } from '../../../app/common/settings-schema.js';
import type { Announcement } from '../../../app/main/engine/base/announcement.js';
import { Supervisor } from '../../../app/main/engine/watch/supervisor.js';
import { flood } from '../../support/flood.js';
import { hostileTurn, type HostileTurn } from '../../support/hostile-responses.js';
import { seededRandom } from '../../support/interleaving.js';
import { waitUntil } from '../../support/manual-watcher.js';
import { MemoryStateStore } from '../../support/memory-state-store.js';
import { newMessageId } from '../../support/messages.js';
import { startModelImapServer, type ServerTurn } from '../../support/model-imap-server.js';

const CASES = Number(process.env.TIDINGS_FUZZ_SEEDS ?? 300);
const SEED = Number(process.env.TIDINGS_FUZZ_SEED ?? 22);
/** The longest each step of a case may take (it takes milliseconds: mail, a cut, a retry). */
const WAIT_MS = 5_000;
/** What the engine may keep once a case is over, above what it kept before the first. */
const RETAINED_BOUND = 64 * 1024 * 1024;
/** The most the test process (vitest, the model server and the engine) may take at its peak. */
const PEAK_BOUND = 512 * 1024 * 1024;

// A control, bidi or invisible character, or an escape: what no status or announcement may hold.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNCLEAN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const unhandled: unknown[] = [];
const onUnhandled = (error: unknown) => void unhandled.push(error);
let heapBefore = 0;
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  gc();
  heapBefore = process.memoryUsage().heapUsed;
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

/** Speaks `turn` the first time the server reaches it; false while it has not. */
function speaker(turn: HostileTurn) {
  let said = false;
  const speak = (at: ServerTurn, socket: net.Socket): boolean => {
    if (said) return false;
    const reached =
      turn.at === 'greeting'
        ? at.kind === 'greeting'
        : at.kind === 'command' && at.name === turn.at;
    if (!reached) return false;
    said = true;
    const tag = at.kind === 'command' ? at.tag : '*';
    const uid = at.kind === 'command' ? (/UID FETCH (\d+)/i.exec(at.line)?.[1] ?? '1') : '1';
    const wire = turn.say.replaceAll('{TAG}', tag).replaceAll('{UID}', uid);
    const say = () => {
      if (socket.destroyed) return;
      socket.write(Buffer.from(wire, 'latin1'));
      if (turn.flood) void flood(socket, turn.flood.block, turn.flood.bytes);
    };
    // After: once the usual answer (IDLE's "+", NOTIFY's OK) is on its way.
    if (turn.how === 'after') setImmediate(say);
    else say();
    return turn.how === 'instead';
  };
  return { speak, said: () => said };
}

/** Runs one case; resolves with what went wrong (nothing, when the promise held). */
async function runCase(turn: HostileTurn, notify: boolean, seed: number): Promise<string[]> {
  const problems: string[] = [];
  const { speak, said } = speaker(turn);
  const server = await startModelImapServer({
    mailboxes: ['INBOX', 'Work'],
    random: seededRandom(seed),
    notify,
    maxPushDelayMs: 0,
    maxAnswerDelayMs: 0,
    intercept: speak,
  });
  const settings = settingsSchema.parse({
    accounts: [
      {
        id: 'a',
        host: '127.0.0.1',
        port: server.port,
        tls: 'none',
        allowInsecureAuth: true,
        user: 'ann',
        password: 'pw',
        mailboxes: ['INBOX', 'Work'],
        watchMode: notify ? 'notify' : 'idle',
      },
    ],
    // A short deadline, so a greeting that never comes costs little; a long one where the
    // limits, not the deadline, must end the answer.
    liveness: {
      heartbeatSeconds: 60,
      commandTimeoutSeconds: turn.named ? 10 : 0.5,
      maxBackoffSeconds: 1,
    },
  });
  const statuses: WatcherStatus[] = [];
  const announced: Announcement[] = [];
  const failures: string[] = [];
  const note = (line: string) => {
    // connection-watcher.ts logs each failure as "label: code error: message".
    const failure = /^a\/\S+: (auth|tls|network|timeout|protocol|config|mailbox) error: (.*)$/.exec(
      line,
    );
    if (failure) failures.push(`${failure[1]}: ${failure[2]}`);
  };
  const store = new MemoryStateStore();
  const supervisor = new Supervisor({
    settings,
    store,
    secrets: { getPassword: async () => 'pw' },
    notifier: { notify: (announcement) => void announced.push(announcement) },
    // No wait between attempts: each case is said once, then the server behaves.
    random: () => 0,
    logger: { debug: note, info: note, warn: note, error: note },
  });
  supervisor.onStatus((status) => void statuses.push(status));
  const has = (mailbox: string, uid: number) =>
    announced.some((a) => a.message.mailbox === mailbox && a.message.uid === uid);
  try {
    supervisor.start();
    // Watching: past its first sync (mail before it is taken as read), and idle or told the
    // mailbox is gone (NOTIFY's \NonExistent, said by the server) and waiting for it.
    const watching = (mailbox: string) =>
      store.getCursor('a', mailbox) !== undefined &&
      statuses.some(
        (s) =>
          s.mailbox === mailbox &&
          (s.state === 'idle' || /watching for it to come back/.test(s.detail)),
      );
    await waitUntil(() => watching('INBOX') && watching('Work'), WAIT_MS);
    server.deliver('INBOX', newMessageId());
    server.deliver('Work', newMessageId());
    await waitUntil(() => has('INBOX', 1) && has('Work', 1), WAIT_MS);
    await waitUntil(said, WAIT_MS).catch(() => problems.push('the turn was never reached'));
    server.deliver('INBOX', newMessageId());
    server.deliver('Work', newMessageId());
    await waitUntil(() => has('INBOX', 2) && has('Work', 2), WAIT_MS);
    // An answer that never ends is cut once it passes its limit in one command or wait.
    const { named } = turn;
    if (named) await waitUntil(() => failures.some((f) => named.test(f)), WAIT_MS);
    await new Promise((resolve) => setTimeout(resolve, 50));
  } catch (error) {
    problems.push(`mail not announced: ${String(error)}`);
  } finally {
    await supervisor.stop();
    await server.close();
  }

  const seen = announced.map((a) => `${a.message.mailbox}/${a.message.uid}`).sort();
  if (seen.join() !== 'INBOX/1,INBOX/2,Work/1,Work/2') problems.push(`announced ${seen.join()}`);
  for (const { message } of announced) {
    for (const text of [message.from, message.subject, message.messageId ?? '']) {
      if (UNCLEAN.test(text) || text.length > 1000) problems.push(`unclean announcement ${text}`);
    }
  }
  for (const status of statuses) {
    if (UNCLEAN.test(status.detail) || status.detail.length > 600) {
      problems.push(`unclean status ${JSON.stringify(status.detail)}`);
    }
    const missing = status.state === 'error' && /watching for it to come back/.test(status.detail);
    if (['auth-failed', 'tls-error', 'error'].includes(status.state) && !missing) {
      problems.push(`${status.state}: ${status.detail}`);
    }
  }
  const stopping = failures.filter((f) => !/^(protocol|network|timeout): /.test(f));
  if (stopping.length > 0) problems.push(`failures that stop: ${stopping.join(' | ')}`);
  if (turn.named && !failures.some((f) => f.startsWith('protocol: ') && turn.named?.test(f))) {
    problems.push(`no protocol error naming the limit, failures: ${failures.join(' | ')}`);
  }
  if (unhandled.length > 0) problems.push(`unhandled: ${unhandled.splice(0).map(String).join()}`);
  const { heapUsed } = process.memoryUsage();
  if (heapUsed - heapBefore > RETAINED_BOUND) {
    gc();
    const retained = process.memoryUsage().heapUsed - heapBefore;
    if (retained > RETAINED_BOUND) problems.push(`kept ${Math.round(retained / 2 ** 20)} MiB`);
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  if (peak > PEAK_BOUND) problems.push(`peak RSS ${Math.round(peak / 2 ** 20)} MiB`);
  return problems;
}

/**
 * Cases the suite found, run first whatever the seed: a BYE before a SEARCH's answer (imapflow
 * answered the SEARCH on the closing connection with nothing, and the mark moved past the
 * message searched for); a pushed STATUS with a UIDVALIDITY of 2^64 (taken as a new one, it
 * re-baselined INBOX from the STATUS's UIDNEXT, past mail not yet seen).
 */
const FOUND: [HostileTurn, boolean, number][] = [
  [{ family: 'bye-alert', at: 'UID SEARCH', how: 'before', say: '* BYE \r\n' }, true, 0],
  [{ family: 'bye-alert', at: 'UID FETCH', how: 'before', say: '* BYE \r\n' }, true, 0],
  [{ family: 'bye-alert', at: 'EXAMINE', how: 'before', say: '* BYE \r\n' }, false, 0],
  [
    {
      family: 'pushed',
      at: 'IDLE',
      how: 'after',
      say: '* STATUS INBOX (UIDNEXT 007 UIDVALIDITY 18446744073709551616)\r\n* BAD \r\n',
      needsNotify: false,
    },
    true,
    0,
  ],
];

describe('whatever a server says', () => {
  it(
    `ends as a protocol error or is ignored, and mail after it is announced once: ${CASES} cases`,
    { timeout: 60 * 60_000 },
    async () => {
      const families = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(hostileTurn, fc.boolean(), fc.nat(), async (turn, notify, seed) => {
          families.set(turn.family, (families.get(turn.family) ?? 0) + 1);
          const problems = await runCase(turn, notify || turn.needsNotify === true, seed);
          expect(problems).toEqual([]);
        }),
        { numRuns: CASES, seed: SEED, examples: FOUND },
      );
      gc();
      const retained = process.memoryUsage().heapUsed - heapBefore;
      expect(retained).toBeLessThan(RETAINED_BOUND);
      expect([...families.keys()].length).toBeGreaterThanOrEqual(CASES >= 100 ? 8 : 1);
    },
  );
});
