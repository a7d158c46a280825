/**
 * Updates of the installed app (issue 20), around electron-updater: a check at start (after a
 * pause, so start-up is not slowed) and every 6 hours, never while offline; a found update
 * downloads in the background; then the tray offers "Restart to update to 1.4.0". Tidings
 * never restarts on its own (a downloaded update is otherwise installed when the user quits).
 * Off when the preference says so, in a development build, and for the deb and rpm packages,
 * whose updates come from the system's package manager. Plain Node around the updater's
 * interface, so tests drive electron-updater's own code against a local feed.
 */
import type { Clock, Logger } from '../engine/index.js';
import { sanitizeServerText } from '../engine/base/index.js';
import type { UpdateStatus } from '../../common/ipc-contract.js';

/** The part of electron-updater's `AppUpdater` this controller uses. */
export interface UpdaterPort {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  checkForUpdates(): Promise<{
    isUpdateAvailable: boolean;
    updateInfo: { version: string };
    downloadPromise?: Promise<unknown> | null;
  } | null>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** What the controller needs. */
export interface UpdateControllerDeps {
  /** Absent when this build does not update itself; `offReason` then says why. */
  updater?: UpdaterPort | undefined;
  offReason?: string | undefined;
  /** The user's preference ("Check for updates"). */
  enabled(): boolean;
  isOnline(): boolean;
  clock: Clock;
  logger: Logger;
  onChange(status: UpdateStatus): void;
  /** Between checks (default 6 hours). */
  intervalMs?: number;
  /** From start to the first check (default 30 s). */
  firstCheckMs?: number;
}

/** The app's update controller. */
export interface UpdateController {
  status(): UpdateStatus;
  /** Schedules the first check and the periodic ones. */
  start(): void;
  /** Checks now (the About section's "Check for updates"); resolves with the outcome. */
  checkNow(): Promise<UpdateStatus>;
  /** Quits and installs the downloaded update; false when none is ready. */
  restartToUpdate(): boolean;
  /** The preference changed. */
  preferenceChanged(): void;
  stop(): void;
}

export const UPDATE_INTERVAL_MS = 6 * 60 * 60 * 1000;
const FIRST_CHECK_MS = 30_000;

/** Creates the controller; nothing is checked before `start()` or `checkNow()`. */
export function createUpdateController(deps: UpdateControllerDeps): UpdateController {
  const { updater, clock, logger } = deps;
  let status: UpdateStatus = initialStatus(deps);
  let cancelTimer: (() => void) | undefined;
  let checking: Promise<UpdateStatus> | undefined;
  let checkedAt: string | null = null;
  let wasEnabled = deps.enabled();

  const now = (): UpdateStatus => status;
  const set = (next: UpdateStatus) => {
    status = next;
    deps.onChange(next);
  };

  if (updater) {
    // Downloaded in the background; installed on the user's word, or when they quit.
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = true;
    updater.allowDowngrade = false;
    updater.on('download-progress', (progress) => {
      if (status.state !== 'downloading') return;
      const percent = Number.isFinite(progress.percent) ? Math.round(progress.percent) : null;
      if (percent !== status.percent) set({ ...status, percent });
    });
    updater.on('update-downloaded', (info) => {
      logger.info(`update ${info.version} downloaded: it installs on restart`);
      set({ state: 'ready', version: info.version });
    });
    // The check's own promise carries the error too; this keeps the emitter from throwing.
    updater.on('error', () => {});
  }

  const check = async (): Promise<UpdateStatus> => {
    if (!updater || !deps.enabled()) {
      set(initialStatus(deps));
      return status;
    }
    // A downloaded update waits for the restart: nothing to check until then.
    if (status.state === 'ready' || status.state === 'downloading') return status;
    if (!deps.isOnline()) {
      logger.debug('offline: update check skipped');
      return status;
    }
    set({ state: 'checking' });
    try {
      const result = await updater.checkForUpdates();
      checkedAt = new Date(clock.now()).toISOString();
      if (!result || !result.isUpdateAvailable) {
        set({ state: 'idle', checkedAt });
        return status;
      }
      const { version } = result.updateInfo;
      logger.info(`update ${version} found: downloading`);
      set({ state: 'downloading', version, percent: null });
      await result.downloadPromise;
      // 'update-downloaded' has set `ready` already (it comes before the promise settles);
      // read through a call: TypeScript would keep the narrowing from before the await.
      if (now().state !== 'ready') set({ state: 'ready', version });
    } catch (error) {
      checkedAt = new Date(clock.now()).toISOString();
      const message = describeUpdateError(error);
      logger.warn(`update check failed: ${message}`);
      set({ state: 'error', message, checkedAt });
    }
    return status;
  };

  const checkOnce = (): Promise<UpdateStatus> => {
    checking ??= check().finally(() => {
      checking = undefined;
    });
    return checking;
  };

  const schedule = (ms: number) => {
    cancelTimer?.();
    cancelTimer = clock.setTimeout(() => {
      void checkOnce().finally(() => schedule(deps.intervalMs ?? UPDATE_INTERVAL_MS));
    }, ms);
  };

  return {
    status: () => status,
    start() {
      if (updater && deps.enabled()) schedule(deps.firstCheckMs ?? FIRST_CHECK_MS);
    },
    checkNow: checkOnce,
    restartToUpdate() {
      if (!updater || status.state !== 'ready') return false;
      logger.info(`restarting to install ${status.version}`);
      updater.quitAndInstall(false, true);
      return true;
    },
    preferenceChanged() {
      const enabled = deps.enabled();
      if (!updater || enabled === wasEnabled) return;
      wasEnabled = enabled;
      if (!enabled) {
        cancelTimer?.();
        cancelTimer = undefined;
        if (status.state !== 'ready') set(initialStatus(deps));
        return;
      }
      if (status.state === 'off') set({ state: 'idle', checkedAt });
      schedule(deps.firstCheckMs ?? FIRST_CHECK_MS);
    },
    stop() {
      cancelTimer?.();
      cancelTimer = undefined;
    },
  };
}

function initialStatus(deps: UpdateControllerDeps): UpdateStatus {
  if (!deps.updater)
    return { state: 'off', reason: deps.offReason ?? 'this build does not update' };
  if (!deps.enabled()) return { state: 'off', reason: 'turned off in Settings' };
  return { state: 'idle', checkedAt: null };
}

/** The updater's error in one line, without its stack or the feed's whole answer. */
export function describeUpdateError(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  return sanitizeServerText(raw.split('\n')[0] ?? '', 200) || 'unknown error';
}
