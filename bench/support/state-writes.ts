/**
 * What a `tidings watch` writes to disk (Linux): the bytes it dirtied in files
 * (/proc/PID/io write_bytes; pipes and sockets do not count), how often its state.json
 * was replaced, and the size of the journal beside it. The store writes the snapshot
 * atomically (a temp file renamed over state.json), so each snapshot is one rename onto that
 * name, seen here through inotify (fs.watch); between snapshots it appends to state.journal.
 */
import { readFileSync, statSync, watch } from 'node:fs';
import path from 'node:path';

/** Bytes the process has caused to be written to storage so far (write_bytes). */
export function diskWrites(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(/^write_bytes:\s+(\d+)/m.exec(io)?.[1] ?? Number.NaN);
}

/** Counts replacements of `dir`/state.json from now on. */
export interface StateFileWatch {
  replaced(): number;
  /** The file's size now (0 if missing). */
  size(): number;
  /** The journal's size now (0 if missing: none, or just folded into state.json). */
  journalSize(): number;
  close(): void;
}

/** Starts counting replacements of state.json in `dir`. */
export function watchStateFile(dir: string): StateFileWatch {
  const file = path.join(dir, 'state.json');
  const journal = path.join(dir, 'state.journal');
  let replaced = 0;
  const watcher = watch(dir, (event, name) => {
    if (event === 'rename' && name === 'state.json') replaced++;
  });
  return {
    replaced: () => replaced,
    size: () => sizeOf(file),
    journalSize: () => sizeOf(journal),
    close: () => watcher.close(),
  };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
