/**
 * What a `tidings watch` writes to disk (Linux): the bytes it dirtied in files
 * (/proc/PID/io write_bytes; pipes and sockets do not count), and how often its state.json
 * was replaced. The store writes atomically (a temp file renamed over state.json), so each
 * write of the state is one rename onto that name, seen here through inotify (fs.watch).
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
  close(): void;
}

/** Starts counting replacements of state.json in `dir`. */
export function watchStateFile(dir: string): StateFileWatch {
  const file = path.join(dir, 'state.json');
  let replaced = 0;
  const watcher = watch(dir, (event, name) => {
    if (event === 'rename' && name === 'state.json') replaced++;
  });
  return {
    replaced: () => replaced,
    size() {
      try {
        return statSync(file).size;
      } catch {
        return 0;
      }
    },
    close: () => watcher.close(),
  };
}
