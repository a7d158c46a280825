/**
 * The desktop app's log: timestamped lines appended to a file in the app's data directory,
 * rotated by size so it never grows without bound (tidings.log, then tidings.1.log … the
 * oldest dropped). Plain Node, no Electron: "Show log" in the tray opens the file. The
 * engine never hands a logger a password, and server text reaches it already sanitized;
 * here each entry is also kept to one line per entry, so a hostile string cannot forge one.
 */
import { appendFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../engine/index.js';
import { sanitizeServerText } from '../engine/base/index.js';
import {
  ensurePrivateDirectory,
  PRIVATE_FILE_MODE,
  restrictToOwner,
} from '../engine/node/index.js';

const MAX_LINE_LENGTH = 4000;

/** How big the log may grow before it rotates, and how many old files are kept. */
export interface LogFileOptions {
  maxBytes?: number;
  keep?: number;
  /** Also log `debug` lines (off by default: imapflow's protocol lines are debug). */
  debug?: boolean;
  now?: () => Date;
}

/** A logger writing to `file`, with the file's path for "Show log". */
export interface FileLogger extends Logger {
  readonly path: string;
}

/** Opens (creating it 0600, in a 0700 directory) the log file at `file`. */
export function createFileLogger(file: string, options: LogFileOptions = {}): FileLogger {
  const { maxBytes = 1_000_000, keep = 3, debug = false, now = () => new Date() } = options;
  ensurePrivateDirectory(path.dirname(file));
  let size = sizeOf(file);
  let broken = false;
  const write = (level: string, message: string) => {
    if (broken) return;
    const line = `${now().toISOString()} ${level} ${oneEntry(message)}\n`;
    try {
      if (size > 0 && size + Buffer.byteLength(line) > maxBytes) {
        rotate(file, keep);
        size = 0;
      }
      appendFileSync(file, line, { mode: PRIVATE_FILE_MODE });
      if (size === 0) restrictToOwner(file);
      size += Buffer.byteLength(line);
    } catch {
      // A full or read-only disk must not take the app down with it; logging stops quietly.
      broken = true;
    }
  };
  return {
    path: file,
    debugEnabled: debug,
    debug: (message) => {
      if (debug) write('debug', message);
    },
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}

/** The names of the rotated files: tidings.log → tidings.1.log, tidings.2.log, … */
export function rotatedName(file: string, n: number): string {
  const { dir, name, ext } = path.parse(file);
  return path.join(dir, `${name}.${n}${ext}`);
}

function rotate(file: string, keep: number): void {
  rmSync(rotatedName(file, keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    try {
      renameSync(rotatedName(file, n), rotatedName(file, n + 1));
    } catch {
      // That generation does not exist yet.
    }
  }
  if (keep > 0) renameSync(file, rotatedName(file, 1));
  else rmSync(file, { force: true });
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

// Each line of an entry loses escape sequences and control characters, and continuation
// lines are indented, so every line that starts with a timestamp is one the app wrote.
function oneEntry(message: string): string {
  return message
    .split(/\r?\n/)
    .map((line) => sanitizeServerText(line, MAX_LINE_LENGTH))
    .join('\n    ');
}
