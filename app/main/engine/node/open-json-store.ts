/**
 * Opening a conf-backed JSON store without crashing on a damaged file. conf throws a
 * SyntaxError from its constructor when the file is not JSON (clearInvalidConfig would
 * delete it silently); here the file is renamed aside, kept for inspection, and the store
 * opened afresh. Also the modes such a store should have: conf's default `configFileMode`
 * is 0o666 and mkdir's 0o777, so under a umask of 022 other local users could read it.
 */
import { chmodSync, existsSync, mkdirSync, renameSync } from 'node:fs';

/** A file only its owner may read and write; pass it to conf as `configFileMode`. */
export const PRIVATE_FILE_MODE = 0o600;

/** A directory only its owner may enter. */
export const PRIVATE_DIRECTORY_MODE = 0o700;

/** Creates `dir` and any missing parents 0700; a directory that already exists is left alone. */
export function ensurePrivateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
}

/** Makes an existing `file` 0600 now, not only at its next write; a missing one is fine. */
export function restrictToOwner(file: string): void {
  try {
    chmodSync(file, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Runs `open`; if `file` is not JSON, moves it to `file.invalid-<time>` and opens again. */
export function openJsonStore<T>(
  file: string,
  open: () => T,
  onSetAside: (backup: string) => void,
): T {
  try {
    return open();
  } catch (error) {
    if (!(error instanceof SyntaxError) || !existsSync(file)) throw error;
    const backup = `${file}.invalid-${Date.now()}`;
    renameSync(file, backup);
    onSetAside(backup);
    return open();
  }
}
