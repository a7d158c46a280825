/**
 * One run of the interleaving property (issue 19): the real engine (supervisor, watchers,
 * imapflow, the conf state store) against the model server, with mail delivered to random
 * mailboxes at random moments — between commands, or while one is being answered — and
 * pushes delayed at random. The property is the promise itself: every delivered message is
 * announced exactly once, and nothing is announced that was not delivered. The heartbeat is
 * long, so the safety net cannot cover for a round that forgot something.
 */
import { rmSync } from 'node:fs';
import { newMessageId } from './messages.js';
import { startEngine, testSettings } from './engine-harness.js';
import { startModelImapServer, type ModelServerOptions } from './model-imap-server.js';

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What one seed's run is made of. */
export interface InterleavingCase {
  seed: number;
  watchMode: 'notify' | 'idle';
  mailboxes?: string[];
  messages?: number;
  /** The longest pause between two deliveries, in ms (default 20). */
  maxGapMs?: number;
  /** The longest a push waits (default: the model server's). */
  maxPushDelayMs?: number;
  /** Server quirks beyond the RFCs (see ModelServerOptions). */
  dropInboxPush?: number;
}

/** A failed run: the seed, what went wrong, and what the server saw. */
export interface InterleavingFailure {
  seed: number;
  problem: string;
  commands: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one seed; resolves with a failure, or undefined when the promise held. */
export async function runInterleaving(
  run: InterleavingCase,
): Promise<InterleavingFailure | undefined> {
  const random = seededRandom(run.seed);
  const mailboxes = run.mailboxes ?? ['INBOX', 'Work', 'Lists'];
  const count = run.messages ?? 6;
  // Deliveries asked for "at the next command": done as that command arrives.
  const atCommand: string[] = [];
  const serverOptions: ModelServerOptions = {
    mailboxes,
    random,
    notify: run.watchMode === 'notify',
    dropInboxPush: run.dropInboxPush ?? 0,
    ...(run.maxPushDelayMs === undefined ? {} : { maxPushDelayMs: run.maxPushDelayMs }),
    onCommand: () => {
      const mailbox = atCommand.shift();
      if (mailbox !== undefined) deliver(mailbox);
    },
  };
  const server = await startModelImapServer(serverOptions);
  const delivered: string[] = [];
  const deliver = (mailbox: string) => {
    const id = newMessageId();
    delivered.push(id);
    server.deliver(mailbox, id);
  };
  const settings = testSettings(
    [
      {
        id: 'a',
        host: '127.0.0.1',
        port: server.port,
        tls: 'none',
        allowInsecureAuth: true,
        user: 'ann',
        password: 'pw',
        mailboxes,
        watchMode: run.watchMode,
      },
    ],
    5,
    { heartbeatSeconds: 600, commandTimeoutSeconds: 10 },
  );
  const engine = startEngine(settings);
  try {
    await engine.allIdle(settings);
    for (let n = 0; n < count; n++) {
      const mailbox = mailboxes[Math.floor(random() * mailboxes.length)] ?? 'INBOX';
      if (random() < 0.5) {
        // While the engine is busy with the previous one, if it is.
        atCommand.push(mailbox);
        await pause(Math.floor(random() * (run.maxGapMs ?? 20)));
        // No command came: deliver it now.
        const waiting = atCommand.indexOf(mailbox);
        if (waiting >= 0) {
          atCommand.splice(waiting, 1);
          deliver(mailbox);
        }
      } else {
        await pause(Math.floor(random() * (run.maxGapMs ?? 20)));
        deliver(mailbox);
      }
    }
    const announced = () => engine.announcements.items.map((a) => a.message.messageId);
    const deadline = Date.now() + 5_000;
    while (announced().length < delivered.length && Date.now() < deadline) await pause(20);
    // Long enough for a repeat to show.
    await pause(150);
    const ids = announced();
    const missing = delivered.filter((id) => !ids.includes(id));
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    const strangers = ids.filter((id) => id === null || !delivered.includes(id));
    const problems = [
      missing.length > 0 ? `${missing.length} of ${delivered.length} never announced` : '',
      repeated.length > 0 ? `${repeated.length} announced twice` : '',
      strangers.length > 0 ? `${strangers.length} announced that were not delivered` : '',
    ].filter(Boolean);
    if (problems.length === 0) return undefined;
    return { seed: run.seed, problem: problems.join('; '), commands: server.commands.join(' ') };
  } finally {
    await engine.supervisor.stop();
    await server.close();
    rmSync(engine.stateDir, { recursive: true, force: true });
  }
}

/** Runs `seeds` seeds of `run`, `parallel` at a time; resolves with the failures. */
export async function runSeeds(
  seeds: number,
  run: Omit<InterleavingCase, 'seed'>,
  parallel = 8,
  firstSeed = 1,
): Promise<InterleavingFailure[]> {
  const failures: InterleavingFailure[] = [];
  for (let start = 0; start < seeds; start += parallel) {
    const batch = Array.from(
      { length: Math.min(parallel, seeds - start) },
      (_, i) => firstSeed + start + i,
    );
    const results = await Promise.all(batch.map((seed) => runInterleaving({ ...run, seed })));
    for (const failure of results) if (failure) failures.push(failure);
  }
  return failures;
}
