/**
 * Hooks of `tidings watch`: one more consumer of the announcement stream, beside the JSON
 * lines and popups. `onNewMail` runs per mailbox, `onNewMailPost` once per account after a
 * burst has settled (so `mbsync` runs once per storm); both follow hook-queue.ts's rule of
 * one run plus at most one queued. The commands and timings are read from the current
 * settings at each run, so a reloaded config applies to the next run.
 */
import type { HookCommand, Settings } from '../../../common/settings-schema.js';
import type { Announcement, Clock, Logger } from '../../engine/index.js';
import { systemClock } from '../../engine/base/index.js';
import { HOOK_KILL_GRACE_MS, startHookCommand, type HookRun } from './hook-command.js';
import { HookQueue, type HookBatch } from './hook-queue.js';
import { announcementEvent } from '../output/index.js';

const DEFAULT_TIMEOUT_SECONDS = 60;
const DEFAULT_SETTLE_SECONDS = 2;
/** The most messages one run's stdin line lists (the newest); TIDINGS_COUNT counts them all. */
export const MAX_HOOK_MESSAGES = 100;

type HookName = 'onNewMail' | 'onNewMailPost';

/** What the hook runner needs. */
export interface HookRunnerOptions {
  settings(): Settings;
  logger: Logger;
  clock?: Clock;
  /** Between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

/** A Notifier that runs hooks, and a way to end every run still going. */
export interface HookRunner {
  notify(announcement: Announcement): void;
  /** Drops queued runs, sends SIGTERM (then SIGKILL) to running ones, resolves when all ended. */
  close(): Promise<void>;
}

/** Builds the hook sink of `tidings watch`. */
export function createHookRunner(options: HookRunnerOptions): HookRunner {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const running = new Set<HookRun>();
  const hookSettings = () => options.settings().hooks;

  const run = async (hook: HookName, account: string, batch: HookBatch<Announcement>) => {
    const command = commandFor(options.settings(), account, hook);
    const newest = batch.items.at(-1);
    if (!command || !newest) return;
    const timeoutSeconds = hookSettings()?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const started = startHookCommand(command, {
      env: hookEnv(newest, batch.count),
      withoutEnv: secretEnvNames(options.settings()),
      stdin: `${hookStdinLine(hook, newest, batch)}\n`,
      timeoutMs: timeoutSeconds * 1000,
      ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
    });
    running.add(started);
    const result = await started.done;
    running.delete(started);
    const what = `${hook} ${describeCommand(command)} for ${laneName(hook, newest)} (${batch.count} new)`;
    const stderr = result.stderrTail ? `; stderr: ${result.stderrTail}` : '';
    if (result.ok) logger.debug(`${what} ${result.outcome}${stderr}`);
    else logger.warn(`${what} ${result.outcome}${stderr}`);
  };

  const perMailbox = new HookQueue<Announcement>({
    clock,
    delayMs: () => 0,
    restartOnPush: false,
    maxItems: MAX_HOOK_MESSAGES,
    run: (_key, batch) => run('onNewMail', batch.items[0]?.message.account ?? '', batch),
  });
  const perAccount = new HookQueue<Announcement>({
    clock,
    delayMs: () => (hookSettings()?.settleSeconds ?? DEFAULT_SETTLE_SECONDS) * 1000,
    restartOnPush: true,
    maxItems: MAX_HOOK_MESSAGES,
    run: (account, batch) => run('onNewMailPost', account, batch),
  });

  return {
    notify(announcement) {
      // A hook never stops the stream: whatever goes wrong here is logged, not thrown.
      try {
        const settings = options.settings();
        const { account, mailbox } = announcement.message;
        if (commandFor(settings, account, 'onNewMail')) {
          perMailbox.push(`${account}\u0000${mailbox}`, announcement);
        }
        if (commandFor(settings, account, 'onNewMailPost')) perAccount.push(account, announcement);
      } catch (error) {
        logger.error(`hooks: ${String(error)}`);
      }
    },
    async close() {
      perMailbox.close();
      perAccount.close();
      const ending = [...running].map((hookRun) => {
        hookRun.stop('shutdown');
        return hookRun.done;
      });
      if (ending.length === 0) return;
      // SIGKILL ends anything but a process stuck in the kernel: do not wait for that one.
      let giveUp: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => {
        giveUp = setTimeout(resolve, (options.killGraceMs ?? HOOK_KILL_GRACE_MS) + 2_000);
      });
      await Promise.race([Promise.all(ending), limit]);
      clearTimeout(giveUp);
    },
  };
}

/** The account's own hook, else the global one. */
export function commandFor(
  settings: Settings,
  accountId: string,
  hook: HookName,
): HookCommand | undefined {
  const account = settings.accounts.find((candidate) => candidate.id === accountId);
  if (!account) return undefined;
  return account[hook] ?? settings.hooks?.[hook];
}

/** The variables the config names for passwords and tokens: a hook is not given them. */
export function secretEnvNames(settings: Settings): string[] {
  return settings.accounts.flatMap((account) =>
    [account.passwordEnv, account.refreshTokenEnv].filter((name) => name !== undefined),
  );
}

/** The environment of a run: the newest message it covers, and how many it covers. */
export function hookEnv(newest: Announcement, count: number): Record<string, string> {
  const { message } = newest;
  // Sanitized text has no controls already; a NUL would make spawn throw, so never pass one.
  const clean = (value: string) => value.replaceAll('\u0000', '');
  return {
    TIDINGS_ACCOUNT: clean(message.account),
    TIDINGS_MAILBOX: clean(message.mailbox),
    TIDINGS_UID: String(message.uid),
    // With the mailbox and the UID, what `tidings act` needs to address this message.
    TIDINGS_UID_VALIDITY: String(message.uidValidity),
    TIDINGS_MESSAGE_ID: clean(message.messageId ?? ''),
    TIDINGS_FROM: clean(message.from),
    TIDINGS_SUBJECT: clean(message.subject),
    TIDINGS_COUNT: String(count),
  };
}

/** The stdin line: which hook, how many messages, and the newest of them as `new-mail` events. */
function hookStdinLine(
  hook: HookName,
  newest: Announcement,
  batch: HookBatch<Announcement>,
): string {
  return JSON.stringify({
    hook,
    account: newest.message.account,
    ...(hook === 'onNewMail' ? { mailbox: newest.message.mailbox } : {}),
    count: batch.count,
    messages: batch.items.map(announcementEvent),
  });
}

function laneName(hook: HookName, newest: Announcement): string {
  const { account, mailbox } = newest.message;
  return hook === 'onNewMail' ? `${account}/${mailbox}` : account;
}

// The program's name only: a shell string may carry arguments the log need not repeat.
function describeCommand(command: HookCommand): string {
  const program = Array.isArray(command) ? command[0] : command.split(/\s+/)[0];
  return `"${(program ?? '').slice(0, 200)}"`;
}
