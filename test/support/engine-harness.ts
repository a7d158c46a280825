/**
 * Runs the engine's `Supervisor` in the test process against a real Dovecot, recording every
 * announcement and status change. The state store is the real conf store in a temp dir.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WatcherStatus } from '../../app/common/account-status.js';
import { settingsSchema, type Settings } from '../../app/common/settings-schema.js';
import type { Announcement } from '../../app/main/engine/base/announcement.js';
import { ConfStateStore } from '../../app/main/engine/node/conf-state-store.js';
import { silentLogger } from '../../app/main/engine/base/ports.js';
import { Supervisor, type SupervisorOptions } from '../../app/main/engine/watch/supervisor.js';
import type { Dovecot } from './dovecot.js';
import { EventLog } from './event-log.js';

/** One account on the test Dovecot, in the settings format. */
export function testAccount(
  dovecot: Dovecot,
  id: string,
  user: string,
  password: string,
  mailboxes = ['INBOX'],
) {
  return {
    id,
    host: dovecot.host,
    port: dovecot.port,
    tls: 'none' as const,
    allowInsecureAuth: true,
    user,
    password,
    mailboxes,
  };
}

/** Short liveness timings: faults are detected within seconds. */
export const fastLiveness = { heartbeatSeconds: 2, commandTimeoutSeconds: 1, maxBackoffSeconds: 1 };

/** Settings with short liveness timings, validated like a real config. */
export function testSettings(
  accounts: unknown[],
  burstThreshold = 5,
  liveness: Record<string, number> = { heartbeatSeconds: 5, commandTimeoutSeconds: 3 },
): Settings {
  return settingsSchema.parse({ accounts, notifications: { burstThreshold }, liveness });
}

/** A running supervisor and what it has said. */
export interface EngineRun {
  supervisor: Supervisor;
  announcements: EventLog<Announcement>;
  statuses: EventLog<WatcherStatus>;
  stateDir: string;
  /** Resolves once every (account, mailbox) of `settings` is idle. */
  allIdle(settings: Settings, from?: number): Promise<void>;
  /** Applies new settings; passwords are then read from them. */
  apply(settings: Settings): Promise<void>;
}

/** Starts a supervisor for `settings`, with state in `stateDir` (a new temp dir by default). */
export function startEngine(
  settings: Settings,
  stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-engine-')),
  extra: Partial<SupervisorOptions> = {},
): EngineRun {
  const announcements = new EventLog<Announcement>();
  const statuses = new EventLog<WatcherStatus>();
  let current = settings;
  const supervisor = new Supervisor({
    settings,
    store: new ConfStateStore(stateDir, silentLogger),
    secrets: {
      getPassword: async (id) => current.accounts.find((a) => a.id === id)?.password ?? '',
    },
    notifier: { notify: (a) => announcements.push(a) },
    ...extra,
  });
  supervisor.onStatus((status) => statuses.push(status));
  supervisor.start();
  return {
    supervisor,
    announcements,
    statuses,
    stateDir,
    async apply(next) {
      current = next;
      await supervisor.applySettings(next);
    },
    async allIdle(expected, from = 0) {
      const waits = expected.accounts.flatMap((account) =>
        account.mailboxes.map((mailbox) =>
          statuses.waitFor(
            (s) => s.account === account.id && s.mailbox === mailbox && s.state === 'idle',
            `${account.id}/${mailbox} idle`,
            15_000,
            from,
          ),
        ),
      );
      await Promise.all(waits);
    },
  };
}

/** The Message-IDs of message announcements, in order. */
export function announcedIds(log: EventLog<Announcement>): Array<string | null> {
  return log.items.map((a) => a.message.messageId);
}
