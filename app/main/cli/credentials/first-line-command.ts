/**
 * Secrets from a command's first line (`pass show mail/work`, an OAuth2 token helper): run
 * in a shell in its own process group, under a deadline, its stderr dropped (it may echo the
 * secret), and killed with everything it started when stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { TidingsError } from '../../engine/index.js';

// A secret is one short line: this much output without a newline is something else.
const MAX_FIRST_LINE_LENGTH = 64 * 1024;

/** One run of a command. */
export interface CommandRun {
  output: Promise<string>;
  stop(): void;
}

/** How long a command's output may stay open after it exited (a daemon it started). */
const EXITED_OUTPUT_GRACE_MS = 1_000;

/**
 * Starts `command` in a shell; `output` resolves with its first line once it exits 0, and
 * rejects with a `config` error naming `name` ("passwordCommand exited with status 1")
 * otherwise. Never reports what it printed.
 */
export function startFirstLineCommand(
  command: string,
  name: string,
  timeoutMs: number,
): CommandRun {
  // Its own process group (on POSIX), so a timeout or shutdown also ends what the shell
  // started (gpg, a pinentry), not only the shell; stderr is dropped, it may echo the secret.
  const child = spawn(command, {
    shell: true,
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'ignore'],
    windowsHide: true,
  });
  let killedBecause: string | undefined;
  const kill = (why: string) => {
    killedBecause ??= why;
    killProcessGroup(child);
    // Something that left the group (a daemon that called setsid) may hold stdout open, and
    // 'close' waits for stdout: without this, the run could never settle.
    child.stdout?.destroy();
  };
  // The same once the command itself has exited: what it printed by then is its answer.
  child.once('exit', () => {
    setTimeout(() => child.stdout?.destroy(), EXITED_OUTPUT_GRACE_MS).unref();
  });
  const timer = setTimeout(() => kill('timed out'), timeoutMs);
  timer.unref();
  const output = new Promise<string>((resolve, reject) => {
    const firstLine = collectFirstLine(child.stdout, () => kill('printed too much'));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new TidingsError('config', `${name} could not start`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      // Only how it ended is reported, never what it printed.
      const failure = killedBecause ?? describeExit(code, signal);
      if (failure) reject(new TidingsError('config', `${name} ${failure}`));
      else if (!firstLine()) reject(new TidingsError('config', `${name} printed nothing`));
      else resolve(firstLine());
    });
  });
  return { output, stop: () => kill('was stopped') };
}

/** Keeps the first line of a stream (without CR LF); calls `onOverflow` if it never ends. */
function collectFirstLine(stream: Readable | null, onOverflow: () => void): () => string {
  let text = '';
  let complete = false;
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    if (complete) return;
    text += chunk;
    const newline = text.indexOf('\n');
    if (newline >= 0) {
      text = text.slice(0, newline);
      complete = true;
    } else if (text.length > MAX_FIRST_LINE_LENGTH) {
      text = '';
      complete = true;
      onOverflow();
    }
  });
  return () => text.replace(/\r$/, '');
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string | undefined {
  if (code === 0) return undefined;
  return code === null ? `was killed by ${String(signal)}` : `exited with status ${code}`;
}

function killProcessGroup(child: ChildProcess): void {
  // Windows has no process groups: only the shell can be ended there.
  if (process.platform === 'win32' || child.pid === undefined) {
    child.kill();
    return;
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: everything in the group has already exited.
  }
}
