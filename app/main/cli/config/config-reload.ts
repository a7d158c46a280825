/**
 * Config reload for `tidings watch`: on request (SIGHUP) or when the config file changes,
 * the file is read and checked as at startup and, only if it passes, applied. A bad file is
 * refused with its reason logged and the running config kept. One reload runs at a time; a
 * request during one queues exactly one more.
 *
 * The file is watched through its directory (fs.watch on the file itself loses it when an
 * editor saves by writing a new file and renaming it over the old one), debounced, and a
 * change event whose file reads the same as the last one loaded (an editor's touch, a second
 * event for one save) applies nothing.
 */
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../../common/settings-schema.js';
import type { Logger } from '../../engine/index.js';
import { ConfigError } from './config-error.js';

/** How long file change events are gathered before the file is read. */
export const FILE_CHANGE_DEBOUNCE_MS = 300;

/** What a reload needs. */
export interface ConfigReloadOptions {
  file: string;
  /** Reads and checks the file; throws `ConfigError` for a bad one. */
  load(): Promise<Settings>;
  /** Puts accepted settings to use. */
  apply(settings: Settings): Promise<void>;
  logger: Logger;
  /** Also reload when the file changes (default true). */
  watchFile?: boolean;
}

/** A running reloader. */
export interface ConfigReload {
  /** Reloads now (or once more after the reload running); resolves when that one is done. */
  reload(why: string): Promise<void>;
  close(): void;
}

/** Starts watching `file` (unless told not to) and returns the reloader. */
export function createConfigReload(options: ConfigReloadOptions): ConfigReload {
  const { file, logger } = options;
  let lastDigest = digestOf(file);
  let current: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let closed = false;

  const reloadOnce = async (why: string) => {
    // Taken before reading, refused or not: a change event for this same text is not news.
    lastDigest = digestOf(file);
    let settings: Settings;
    try {
      settings = await options.load();
    } catch (error) {
      // The message names the file and each problem, as at startup ("accounts[0].port: …").
      const reason = error instanceof ConfigError ? error.message : String(error);
      logger.error(`${why}: config refused, keeping the running one: ${reason}`);
      return;
    }
    if (closed) return;
    try {
      await options.apply(settings);
      logger.info(`${why}: config reloaded from ${file}`);
    } catch (error) {
      logger.error(`${why}: applying the config failed: ${String(error)}`);
    }
  };

  const reload = (why: string): Promise<void> => {
    if (closed) return Promise.resolve();
    if (!current) {
      current = reloadOnce(why).finally(() => (current = undefined));
      return current;
    }
    // Whatever asks during a reload is covered by one more, started when it ends.
    queued ??= current.then(() => {
      queued = undefined;
      return reload(why);
    });
    return queued;
  };

  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  if (options.watchFile ?? true) {
    const name = path.basename(file);
    try {
      watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
        // Some platforms give no file name: then any change in the directory may be ours.
        if (changed !== null && changed.toString() !== name) return;
        clearTimeout(debounce);
        debounce = setTimeout(() => {
          // Mid-save (the old file renamed away, the new one not yet there) or unchanged.
          const digest = digestOf(file);
          if (digest === undefined || digest === lastDigest) return;
          void reload('config file changed');
        }, FILE_CHANGE_DEBOUNCE_MS);
        debounce.unref();
      });
      watcher.on('error', (error) => {
        logger.warn(
          `no longer watching ${file} for changes (${String(error)}); SIGHUP still reloads`,
        );
        watcher?.close();
      });
    } catch (error) {
      logger.warn(`cannot watch ${file} for changes (${String(error)}); SIGHUP reloads it`);
    }
  }

  return {
    reload,
    close() {
      closed = true;
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}

function digestOf(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}
