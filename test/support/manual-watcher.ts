/**
 * One `MailboxWatcher` of a scripted server's INBOX on the manual clock: the connection is
 * real, but heartbeats, deadlines and backoff move only when the test advances the clock, so
 * "no tight loop" is proven by what the clock holds (one timer, the backoff step) and by the
 * connections counted after advancing it. Backoff is 1 s · 2ⁿ exactly (random = 1). Every
 * line the engine logs is kept.
 */
import type { WatcherStatus } from '../../app/common/account-status.js';
import { settingsSchema } from '../../app/common/settings-schema.js';
import { Announcer } from '../../app/main/engine/watch/announcer.js';
import { ConnectGate } from '../../app/main/engine/imap/connect-gate.js';
import { passwordCredentials } from '../../app/main/engine/base/credentials.js';
import { MailboxWatcher } from '../../app/main/engine/watch/idle-watcher.js';
import type { Logger } from '../../app/main/engine/base/ports.js';
import { EventLog } from './event-log.js';
import { ManualClock } from './manual-clock.js';
import { MemoryStateStore } from './memory-state-store.js';
import {
  startScriptedImapServer,
  type ImapScript,
  type ScriptedImapServer,
} from './scripted-imap-server.js';

/** The liveness the manual-clock watchers run with. */
export const MANUAL_HEARTBEAT_MS = 300_000;
export const MANUAL_DEADLINE_MS = 15_000;

/** A watcher on the manual clock and what it has said. */
export interface ManualWatch {
  watcher: MailboxWatcher;
  server: ScriptedImapServer;
  clock: ManualClock;
  statuses: EventLog<WatcherStatus>;
  /** Every line logged, at any level, as "level: text". */
  logged: string[];
  /** Resolves with the next status (from now on) matching `predicate`. */
  next(predicate: (status: WatcherStatus) => boolean, what: string): Promise<WatcherStatus>;
  /** The statuses since index `from`, as "state: detail". */
  since(from: number): string[];
  /** Stops the watcher, then the server. */
  stop(): Promise<void>;
}

/** Starts a scripted server and a watcher of its INBOX on the manual clock. */
export async function watchOnManualClock(script: ImapScript = {}): Promise<ManualWatch> {
  const server = await startScriptedImapServer(script);
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
      },
    ],
    liveness: {
      heartbeatSeconds: MANUAL_HEARTBEAT_MS / 1000,
      commandTimeoutSeconds: MANUAL_DEADLINE_MS / 1000,
    },
  });
  const [account] = settings.accounts;
  if (!account) throw new Error('no account');
  const clock = new ManualClock();
  const store = new MemoryStateStore();
  const statuses = new EventLog<WatcherStatus>();
  const logged: string[] = [];
  const record = (level: string) => (message: string) => void logged.push(`${level}: ${message}`);
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const watcher = new MailboxWatcher(account, 'INBOX', settings.liveness, {
    store,
    credentials: passwordCredentials({ getPassword: async () => 'pw' }),
    announcer: new Announcer(store, { notify: () => {} }, clock),
    clock,
    random: () => 1,
    logger,
    backoff: { initialMs: 1_000, maxMs: 300_000 },
    onStatus: (status) => statuses.push(status),
    isOnline: () => true,
    connectGate: new ConnectGate(4),
  });
  watcher.start();
  return {
    watcher,
    server,
    clock,
    statuses,
    logged,
    next: (predicate, what) => statuses.waitFor(predicate, what, 5_000, statuses.items.length),
    since: (from) => statuses.items.slice(from).map((s) => `${s.state}: ${s.detail}`),
    async stop() {
      await watcher.stop();
      await server.close();
    },
  };
}

/** Lets real I/O that is already under way (it needs no timer) run to its end. */
export const quietly = () => new Promise((resolve) => setTimeout(resolve, 200));

/** Polls `condition` every 10 ms on the real clock; throws after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
