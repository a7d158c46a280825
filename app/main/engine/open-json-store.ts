/**
 * Opening a conf-backed JSON store without crashing on a damaged file. conf throws a
 * SyntaxError from its constructor when the file is not JSON (clearInvalidConfig would
 * delete it silently); here the file is renamed aside, kept for inspection, and the store
 * opened afresh.
 */
import { existsSync, renameSync } from 'node:fs';

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
