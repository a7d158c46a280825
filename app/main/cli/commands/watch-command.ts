/**
 * `tidings watch`: the engine under plain Node. Announcements go to stdout (JSON lines with
 * `--json`, readable lines otherwise) and to desktop popups unless `--no-desktop`; logs
 * and, without `--json`, status changes go to stderr; hooks run for new mail. SIGUSR1
 * refreshes; SIGHUP (or a change of the file) reloads the config; SIGINT and SIGTERM say
 * LOGOUT everywhere, end running hooks and exit 0.
 */
import type { WatcherStatus } from '../../../common/account-status.js';
import {
  ConfStateStore,
  Supervisor,
  type Announcement,
  type EarlyConnections,
  type Notifier,
} from '../../engine/index.js';
import { createConfigReload } from '../config/index.js';
import { DesktopNotifier } from '../output/index.js';
import { createHookRunner } from '../hooks/index.js';
import { announcementEvent, messageChangeEvent, statusEvent } from '../output/index.js';
import { loadConfigResolved } from '../config/index.js';
import { bindingOf } from '../credentials/index.js';
import { resolveStateDir } from '../config/index.js';
import { createStderrLogger } from '../output/index.js';
import { createLineWriter } from '../output/index.js';
import { systemEventsOptionsFromEnv } from '../config/index.js';
import { TokenFile } from '../credentials/index.js';
import { credentialsFor, takeSignals } from './command-setup.js';
import { createNodeSystemEvents } from '../../engine/node/index.js';

/** The parsed options of `tidings watch`. */
export interface WatchOptions {
  config: string;
  json: boolean;
  desktop: boolean;
  stateDir: string | undefined;
  verbose: boolean;
  /** Connections to the accounts' servers opened before this ran (early-connections.ts). */
  early?: EarlyConnections;
}

/** Runs until SIGINT or SIGTERM; resolves with the exit code. Throws `ConfigError` (exit 2). */
export async function runWatch(options: WatchOptions): Promise<number> {
  const logger = createStderrLogger(options.verbose);
  const stateDir = resolveStateDir(options.stateDir);
  // Refresh tokens of `tidings login` and rotated ones (conf writes it only when one is saved).
  const tokenFile = new TokenFile(stateDir, logger);
  const load = () =>
    loadConfigResolved(options.config, process.env, {
      hasStoredToken: (account, endpoints) =>
        tokenFile.get(account, bindingOf(endpoints)) !== undefined,
      stateDir,
    });
  // Replaced whole by a reload; everything below reads it through `() => settings`.
  let settings = await load();
  const systemEventsOptions = systemEventsOptionsFromEnv();
  const store = new ConfStateStore(stateDir, logger);
  logger.debug(`state file: ${store.path}`);

  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  // Waits for the user (auth-failed, tls-error) or for a network (offline) have no socket or
  // timer behind them, and the engine's timers are unref'd: without this the event loop
  // would empty there and the process exit 0 in silence.
  const keepAlive = setInterval(() => {}, 1 << 30);
  void finished.then(() => clearInterval(keepAlive));
  const writeLine = createLineWriter(process.stdout, () => void shutdown('stdout closed'));

  const sinks: Notifier[] = [
    // New mail goes to stdout at once (the status lines around it wait for the turn's end).
    { notify: (announcement) => writeLine(formatAnnouncement(announcement, options.json), true) },
  ];
  // The stream is written first and at once; popups are grouped by the desktop notifier.
  // A popup's button acts through the supervisor (made below; a click comes later): on a
  // connection borrowed from the account's budget, refused once stopping began.
  const desktop: DesktopNotifier | undefined = options.desktop
    ? new DesktopNotifier(logger, {
        settings: () => settings,
        act: (messages, action) => supervisor.actOnMessages(messages, action),
        offeredActions: (account) => supervisor.offeredActions(account.id),
      })
    : undefined;
  if (desktop) sinks.push(desktop);
  // After the stream and popups; a hook's trouble is logged inside it, never thrown here.
  const hooks = createHookRunner({ settings: () => settings, logger });
  sinks.push(hooks);
  const secrets = credentialsFor(settings, tokenFile);
  const systemEvents = createNodeSystemEvents(systemEventsOptions);
  const supervisor: Supervisor = new Supervisor({
    settings,
    store,
    credentials: secrets.credentials,
    notifier: {
      notify: (announcement) => {
        for (const sink of sinks) {
          try {
            sink.notify(announcement);
          } catch (error) {
            logger.error(`announcing: ${String(error)}`);
          }
        }
      },
    },
    systemEvents,
    logger,
    // Buttons are shown on Linux (over D-Bus; node-notifier's popups elsewhere have none):
    // there each account's mailboxes are listed once, for Delete and Archive.
    popupButtons: desktop !== undefined && !['darwin', 'win32'].includes(process.platform),
    ...(options.early ? { early: options.early } : {}),
  });
  supervisor.onStatus((status) => {
    // A rejected password or refresh token is not asked for again from memory: the retry
    // (SIGUSR1) runs the passwordCommand or refreshTokenCommand anew, so a secret corrected
    // in the store is picked up.
    if (status.state === 'auth-failed') {
      secrets.forget(status.account);
    }
    if (options.json) writeLine(JSON.stringify(statusEvent(status)));
    else logger.info(formatStatus(status));
  });

  supervisor.onMessageChange((change) => {
    desktop?.withdraw(change);
    if (options.json) writeLine(JSON.stringify(messageChangeEvent(change, new Date())));
    else {
      const what = change.event === 'read' ? 'read' : 'gone (deleted or moved)';
      logger.info(`${change.account}/${change.mailbox}: UID ${change.uid} ${what}`);
    }
  });

  const reloader = createConfigReload({
    file: options.config,
    load,
    logger,
    apply: async (next) => {
      if (stopping) return;
      // Credentials first: the watchers the supervisor starts for new accounts ask them.
      secrets.update(next);
      settings = next;
      await supervisor.applySettings(next);
    },
  });

  let stopping = false;
  async function shutdown(why: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info(`${why}: logging out`);
    const stopped = supervisor.stop();
    // A passwordCommand still waiting (on a pinentry, say) would hold its watcher's stop
    // for up to a minute, and in its own process group Ctrl-C no longer reaches it. The
    // watchers are marked stopped first, so the killed run's error is not reported.
    secrets.close();
    reloader.close();
    // Hooks get SIGTERM now, SIGKILL a few seconds later: none is left running behind us.
    const hooksEnded = hooks.close();
    await stopped;
    await hooksEnded;
    desktop?.close();
    systemEvents.close();
    finish(0);
  }
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C means "now": skip the LOGOUTs, not the state's last write.
    if (stopping) {
      store.flush();
      finish(130);
    } else void shutdown(signal);
  };
  takeSignals(['SIGINT', 'SIGTERM'], onSignal);
  if (process.platform !== 'win32') {
    process.on('SIGUSR1', () => {
      logger.info('SIGUSR1: refreshing every mailbox');
      supervisor.refresh();
    });
    takeSignals(['SIGHUP'], () => {
      if (!stopping) void reloader.reload('SIGHUP');
    });
  }

  supervisor.start();
  return finished;
}

function formatAnnouncement(announcement: Announcement, json: boolean): string {
  if (json) return JSON.stringify(announcementEvent(announcement));
  const { account, mailbox, from, subject } = announcement.message;
  return `${account}/${mailbox}  ${from}: ${subject}`;
}

function formatStatus(status: WatcherStatus): string {
  return `${status.account}/${status.mailbox}: ${status.state} (${status.detail})`;
}
