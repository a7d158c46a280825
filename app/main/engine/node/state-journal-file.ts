/**
 * The state journal on disk (the format is state-journal.ts): appending one turn durably,
 * the digest that ties a journal to its snapshot, and replaying a journal when the store
 * opens. Whatever goes wrong in a journal costs only its tail, so the state read back is
 * always one the store had at some turn: a cursor may lag, never lead, and a crash can only
 * repeat an announcement.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { PRIVATE_FILE_MODE } from './open-json-store.js';
import { applyTurn, readJournal, type StateShape } from './state-journal.js';
import type { Logger } from '../base/index.js';

/**
 * Writes `text` at the end of `file` (or as all of it, with `fresh`) in one write, then
 * fdatasyncs it: a turn is on disk when this returns, as it was when each turn rewrote
 * state.json through conf (which fsyncs). The file is opened for each turn, not kept open,
 * so a journal removed or a directory replaced under it fails here instead of writing
 * into a file nobody will read.
 */
export function appendDurably(file: string, text: string, fresh: boolean): void {
  const fd = openSync(file, fresh ? 'w' : 'a', PRIVATE_FILE_MODE);
  try {
    const bytes = Buffer.from(text);
    // A short write (a full disk) leaves a torn line: the caller must not append after it.
    const written = writeSync(fd, bytes);
    if (written !== bytes.length) throw new Error(`wrote ${written} of ${bytes.length} bytes`);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A snapshot's identity for the journal's header, and its size; null digest: no file. */
export interface SnapshotFacts {
  digest: string | null;
  bytes: number;
}

/** The SHA-256 and size of `file` as it is now. */
export function readSnapshotFacts(file: string): SnapshotFacts {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { digest: null, bytes: 0 };
    throw error;
  }
  return { digest: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/**
 * Replays the journal `file` over `state`, the snapshot whose digest is `snapshot`; returns
 * how many turns it applied, or undefined when there was no journal. A journal that follows
 * another snapshot is not replayed; a garbled line with lines after it ends the replay and
 * the file is kept beside as `file.invalid-<time>`. The caller compacts or removes it.
 */
export function replayJournal(
  file: string,
  state: StateShape,
  snapshot: string | null,
  logger: Logger,
): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const read = readJournal(text);
  if (read.header && read.header.snapshot !== snapshot) {
    // A compaction cut short after its new state.json, or an older Tidings that rewrote
    // state.json without the journal: the snapshot is the newer of the two.
    logger.warn(`state journal ${file} follows another state file than this one; not replayed`);
    return 0;
  }
  let applied = 0;
  for (const turn of read.turns) {
    if (!applyTurn(state, turn)) break;
    applied++;
  }
  // Line 1 is the header: turn n is line n + 1.
  const garbled = applied < read.turns.length ? applied + 2 : read.garbledLine;
  if (garbled !== undefined) {
    const backup = `${file}.invalid-${Date.now()}`;
    renameSync(file, backup);
    logger.warn(
      `state journal ${file}: line ${garbled} is not a change that fits; replayed the ` +
        `${applied} before it and kept the file as ${backup}`,
    );
  } else if (read.tornLastLine) {
    logger.warn(
      `state journal ${file}: its last line was cut short (a crash while writing?) and is ` +
        `left out; replayed the ${applied} before it`,
    );
  }
  return applied;
}

/** Removes the journal `file`; a missing one is fine. */
export function removeJournal(file: string): void {
  rmSync(file, { force: true });
}
