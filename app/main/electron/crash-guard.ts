/**
 * Crash safety of the main process: an uncaught exception or an unhandled rejection is logged
 * with its stack (server text in it sanitized, as every log line is) and leaves a note in the
 * data directory before the app quits; the next start takes the note, says in the tray that
 * Tidings recovered, and removes it. Plain Node: the composition root passes in `process`,
 * the logger and how to quit.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../engine/index.js';
import { sanitizeServerText } from '../engine/base/index.js';
import { PRIVATE_FILE_MODE } from '../engine/node/index.js';

/** The note's file name in the data directory. */
export const CRASH_NOTE = 'crash-note.json';

/** What the note says: when, and the error's first line. */
export interface CrashNote {
  at: string;
  message: string;
}

/** Leaves the note for the next start; a failure to write it is not a second crash. */
export function recordCrash(dir: string, error: unknown, now: Date): void {
  const note: CrashNote = { at: now.toISOString(), message: firstLine(error) };
  try {
    writeFileSync(path.join(dir, CRASH_NOTE), JSON.stringify(note), { mode: PRIVATE_FILE_MODE });
  } catch {
    // The log has the crash already.
  }
}

/** Reads and removes the note the last run left, if any (a malformed one is only removed). */
export function takeCrashNote(dir: string): CrashNote | undefined {
  const file = path.join(dir, CRASH_NOTE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  rmSync(file, { force: true });
  try {
    const parsed = JSON.parse(text) as Partial<CrashNote>;
    if (typeof parsed.at !== 'string' || Number.isNaN(Date.parse(parsed.at))) return undefined;
    const message = sanitizeServerText(String(parsed.message ?? ''), 300);
    return { at: parsed.at, message };
  } catch {
    return undefined;
  }
}

/** What the guard needs. */
export interface CrashGuardDeps {
  logger: Logger;
  /** The data directory, where the note goes. */
  dir: string;
  /** Ends the app (with a non-zero code); called once. */
  quit: (code: number) => void;
  now?: () => Date;
}

/** Logs, notes and quits on the first uncaught exception or unhandled rejection. */
export function installCrashGuard(target: NodeJS.EventEmitter, deps: CrashGuardDeps): void {
  let crashed = false;
  const onCrash = (kind: string) => (error: unknown) => {
    if (crashed) return;
    crashed = true;
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    // One line per stack frame, each sanitized like any logged text.
    const lines = stack.split('\n').map((line) => sanitizeServerText(line, 500));
    deps.logger.error(`${kind}, quitting:\n${lines.join('\n')}`);
    recordCrash(deps.dir, error, deps.now?.() ?? new Date());
    deps.quit(1);
  };
  target.on('uncaughtException', onCrash('uncaught exception'));
  target.on('unhandledRejection', onCrash('unhandled rejection'));
}

/** The tray's line for a crash note: "Recovered from a crash at 14:02 — see Show log". */
export function recoveredLine(note: CrashNote, now: Date): string {
  const at = new Date(note.at);
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const when =
    at.toDateString() === now.toDateString() ? time : `${at.toLocaleDateString()} ${time}`;
  return `Recovered from a crash at ${when} — see Show log`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return sanitizeServerText(text.split('\n')[0] ?? '', 300);
}
