/**
 * One run of a hook command (`onNewMail`, `onNewMailPost`): an argv array without a shell,
 * or a string through the shell because the user wrote one. Message data goes only into the
 * environment and one JSON line on stdin, never into the command line. The run has its own
 * process group (POSIX), a deadline (SIGTERM, then SIGKILL), its stdout dropped and the tail
 * of its stderr kept for the log. Nothing a hook does can throw into the caller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { HookCommand } from '../../../common/settings-schema.js';
import { sanitizeServerText } from '../../engine/base/index.js';

/** How long a hook has between SIGTERM and SIGKILL. */
export const HOOK_KILL_GRACE_MS = 3_000;
/** The most of a hook's stderr kept for the log, from its end. */
const STDERR_TAIL_BYTES = 4_096;
/** The most of that tail written to the log, after sanitizing. */
const STDERR_LOG_LENGTH = 500;
/** How long stderr may stay open after the hook exited (held by something it started). */
const EXITED_OUTPUT_GRACE_MS = 500;

/** How a hook run ended. */
export interface HookResult {
  /** "exited with status 0", "was killed by SIGKILL after timing out", "could not start (ENOENT)". */
  outcome: string;
  ok: boolean;
  /** The end of what it wrote to stderr, sanitized to one line (may be empty). */
  stderrTail: string;
}

/** A hook run in progress. */
export interface HookRun {
  done: Promise<HookResult>;
  /** SIGTERM to its process group, SIGKILL after the grace; `done` still settles. */
  stop(why: string): void;
}

/** What one run gets. */
export interface HookRunOptions {
  /** Added to this process's environment. */
  env: Record<string, string>;
  /** Variables of this process's environment the hook does not get (secrets). */
  withoutEnv?: readonly string[];
  /** Written to stdin, then stdin is closed. */
  stdin: string;
  timeoutMs: number;
  killGraceMs?: number;
}

/** Starts `command`; never throws (a command that cannot start settles `done` as failed). */
export function startHookCommand(command: HookCommand, options: HookRunOptions): HookRun {
  const withheld = new Set(options.withoutEnv ?? []);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !withheld.has(name)),
  );
  const spawnOptions = {
    env: { ...env, ...options.env },
    // Its own process group, so a timeout or shutdown also ends what it started.
    detached: process.platform !== 'win32',
    stdio: ['pipe', 'pipe', 'pipe'] as ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  };
  let child: ChildProcess;
  try {
    child = Array.isArray(command)
      ? spawn(command[0] ?? '', command.slice(1), { ...spawnOptions, shell: false })
      : spawn(command, { ...spawnOptions, shell: true });
  } catch (error) {
    // spawn throws synchronously only for bad arguments (a NUL byte, say).
    const outcome = `could not start (${describeError(error)})`;
    return { done: Promise.resolve({ outcome, ok: false, stderrTail: '' }), stop: () => {} };
  }
  const graceMs = options.killGraceMs ?? HOOK_KILL_GRACE_MS;
  let stoppedBecause: string | undefined;
  let exited = false;
  // Settles once the group's SIGKILL has gone out (or was never needed).
  let groupKilled: Promise<void> = Promise.resolve();
  const stop = (why: string) => {
    if (exited || stoppedBecause !== undefined) return;
    stoppedBecause = why;
    signalGroup(child, 'SIGTERM');
    // The SIGKILL goes to the whole group after the grace even if the shell itself died of
    // the SIGTERM at once: what it started may ignore SIGTERM (`trap '' TERM`). Not unref'd:
    // a shutdown that waits for this run must not end before it.
    groupKilled = new Promise((resolve) => {
      setTimeout(() => {
        signalGroup(child, 'SIGKILL');
        resolve();
      }, graceMs);
    });
  };
  const deadline = setTimeout(() => stop('timing out'), options.timeoutMs);
  deadline.unref();

  // A hook that does not read its stdin closes the pipe under our write: EPIPE is its right.
  child.stdin?.on('error', () => {});
  child.stdin?.end(options.stdin);
  // Never mixed into our stdout (the stream's contract); read and dropped so it cannot block.
  child.stdout?.resume();
  const stderr = collectTail(child);

  const done = new Promise<HookResult>((resolve) => {
    const settle = (outcome: string, ok: boolean) => {
      if (exited) return;
      exited = true;
      clearTimeout(deadline);
      // Something it left running (`cmd &`) may hold stderr open: wait a moment, no longer.
      const finish = () => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        // A stopped run is over once its whole group has been killed.
        void groupKilled.then(() => resolve({ outcome, ok, stderrTail: lastWords(stderr.tail()) }));
      };
      if (!child.stderr || child.stderr.readableEnded) finish();
      else {
        const timer = setTimeout(finish, EXITED_OUTPUT_GRACE_MS);
        timer.unref();
        child.stderr.once('end', () => {
          clearTimeout(timer);
          finish();
        });
      }
    };
    // ENOENT, EACCES: the 'exit' event never comes (Node emits 'error' instead).
    child.once('error', (error) => settle(`could not start (${describeError(error)})`, false));
    child.once('exit', (code, signal) => {
      const how = code === null ? `was killed by ${String(signal)}` : `exited with status ${code}`;
      const after = stoppedBecause ? ` after ${stoppedBecause}` : '';
      settle(`${how}${after}`, code === 0 && !stoppedBecause);
    });
  });
  return { done, stop };
}

/** Keeps the last STDERR_TAIL_BYTES of a child's stderr. */
function collectTail(child: ChildProcess): { tail(): string } {
  let kept = Buffer.alloc(0);
  child.stderr?.on('data', (chunk: Buffer) => {
    kept = Buffer.concat([kept, chunk]);
    if (kept.length > STDERR_TAIL_BYTES) kept = kept.subarray(kept.length - STDERR_TAIL_BYTES);
  });
  child.stderr?.on('error', () => {});
  return { tail: () => kept.toString('utf8') };
}

/** The end of `text` as one clean line: the last words are the ones that say why. */
function lastWords(text: string): string {
  const end = Array.from(text).slice(-STDERR_LOG_LENGTH).join('');
  return sanitizeServerText(end, STDERR_LOG_LENGTH);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  // Windows has no process groups: only the direct child can be ended there.
  if (process.platform === 'win32' || child.pid === undefined) {
    child.kill(signal);
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: everything in the group has already exited.
  }
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'ENOENT: no such command';
  return code ?? String(error);
}
