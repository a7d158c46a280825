/**
 * A stand-in `notify-send` for benchmarks with desktop popups on: a bash script first in
 * PATH that logs each call (time, the --replace-id it was given, title, body) and answers
 * --print-id as libnotify's does, so `tidings watch` runs a real process per popup and
 * nothing reaches a real desktop. A call without --replace-id gets its own pid as the
 * notification id; one with --replace-id=N keeps N (the server replaces N in place).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// bash for $EPOCHREALTIME: a timestamp without running `date`.
const SCRIPT = `#!/bin/bash
replace=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  case $1 in --replace-id=*) replace=\${1#--replace-id=} ;; esac
  shift
done
shift
line="$EPOCHREALTIME	$$	$replace	$1	$2"
printf '%s\\n' "\${line//$'\\n'/ }" >> "$TIDINGS_BENCH_NOTIFY_LOG"
echo "\${replace:-$$}"
`;

/** One logged call; `at` is on the `performance.now()` scale of this process. */
export interface NotifySendCall {
  at: number;
  id: string;
  replaced: string | null;
  title: string;
  body: string;
}

/** A fake notify-send: the environment that puts it first in PATH, and its log. */
export interface FakeNotifySend {
  env: NodeJS.ProcessEnv;
  calls(): NotifySendCall[];
}

/** Writes the script to a temp directory. */
export function createFakeNotifySend(): FakeNotifySend {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-bench-notify-'));
  const log = path.join(dir, 'calls.tsv');
  const bin = path.join(dir, 'notify-send');
  writeFileSync(bin, SCRIPT);
  chmodSync(bin, 0o755);
  return {
    env: {
      PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
      TIDINGS_BENCH_NOTIFY_LOG: log,
    },
    calls: () => (existsSync(log) ? parseCalls(readFileSync(log, 'utf8')) : []),
  };
}

function parseCalls(text: string): NotifySendCall[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [seconds = '', pid = '', replaced = '', title = '', body = ''] = line.split('\t');
      return {
        // EPOCHREALTIME is wall-clock seconds; performance.timeOrigin is wall-clock ms.
        at: Number(seconds) * 1000 - performance.timeOrigin,
        id: replaced || pid,
        replaced: replaced || null,
        title,
        body,
      };
    });
}

/** What a run's calls added up to on screen. */
export interface PopupCounts {
  /** notify-send calls: popups shown, replacements included. */
  calls: number;
  /** Calls with --replace-id: each updated a notification already on screen. */
  replacements: number;
  /** Distinct notifications the calls made (what would stack up, before they expire). */
  distinct: number;
}

/** Counts `calls`. */
export function countPopups(calls: readonly NotifySendCall[]): PopupCounts {
  return {
    calls: calls.length,
    replacements: calls.filter((call) => call.replaced !== null).length,
    distinct: new Set(calls.map((call) => call.id)).size,
  };
}

/** Prints one line per call: ms after `t0`, notification id, what it replaced, title. */
export function printCalls(calls: readonly NotifySendCall[], t0: number): void {
  for (const call of calls) {
    const replaced = call.replaced ? `replaces ${call.replaced}` : 'new';
    const at = (call.at - t0).toFixed(0).padStart(6);
    console.log(`    ${at}  ${call.id.padStart(7)}  ${replaced.padEnd(16)} ${call.title}`);
  }
}
