/**
 * Passwords for `tidings watch`, from the config: literal, an environment variable, or the
 * first line printed by a command (`pass show mail/work`). A command runs at most once at a
 * time per account and its answer is kept in memory for the process's life, so neither the
 * watchers of one account starting together nor a reconnect storm runs it (and a GPG prompt)
 * again and again. An answer the server rejected is forgotten, so the next try asks anew.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { AccountSettings } from '../../common/settings-schema.js';
import { TidingsError, type SecretSource } from '../engine/index.js';

const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
// A password is one short line: this much output without a newline is something else.
const MAX_FIRST_LINE_LENGTH = 64 * 1024;

/** Options of a ConfigSecretSource. */
export interface ConfigSecretSourceOptions {
  /** How long a passwordCommand may run before its whole process group is killed. */
  commandTimeoutMs?: number;
}

/** One run of a passwordCommand. */
interface CommandRun {
  password: Promise<string>;
  stop(): void;
}

/** Resolves passwords as the config says. */
export class ConfigSecretSource implements SecretSource {
  // Per account: the run in flight, then its answer. A failed run is dropped, not kept.
  private readonly fromCommands = new Map<string, Promise<string>>();
  // The accounts whose entry above is an answer, not a run still in flight.
  private readonly answered = new Set<string>();
  private readonly running = new Set<CommandRun>();
  private readonly commandTimeoutMs: number;

  constructor(
    private readonly accounts: readonly AccountSettings[],
    private readonly env: NodeJS.ProcessEnv = process.env,
    options: ConfigSecretSourceOptions = {},
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  async getPassword(accountId: string): Promise<string> {
    const account = this.accounts.find((candidate) => candidate.id === accountId);
    if (!account) throw new TidingsError('config', `no account "${accountId}" in the config`);
    if (account.password !== undefined) return account.password;
    if (account.passwordEnv !== undefined) {
      const value = this.env[account.passwordEnv];
      if (value === undefined) {
        throw new TidingsError('config', `environment variable ${account.passwordEnv} is not set`);
      }
      return value;
    }
    if (account.passwordCommand !== undefined) {
      return this.fromCommand(accountId, account.passwordCommand);
    }
    throw new TidingsError('config', 'no password source');
  }

  /** Drops an account's remembered passwordCommand answer (the server rejected it). */
  forget(accountId: string): void {
    // A run in flight is already a fresh ask: forgetting it would start a second prompt.
    if (!this.answered.delete(accountId)) return;
    this.fromCommands.delete(accountId);
  }

  /** Kills every passwordCommand still running, with everything it started. */
  close(): void {
    for (const run of this.running) run.stop();
  }

  private fromCommand(accountId: string, command: string): Promise<string> {
    const known = this.fromCommands.get(accountId);
    if (known) return known;
    const run = startPasswordCommand(command, this.commandTimeoutMs);
    this.running.add(run);
    const password = run.password.finally(() => this.running.delete(run));
    this.fromCommands.set(accountId, password);
    this.answered.delete(accountId);
    // Registered before any caller's handler, so a caller that retries at once runs it anew.
    password.then(
      () => {
        if (this.fromCommands.get(accountId) === password) this.answered.add(accountId);
      },
      () => this.fromCommands.delete(accountId),
    );
    return password;
  }
}

/** How long a passwordCommand's output may stay open after it exited (a daemon it started). */
const EXITED_OUTPUT_GRACE_MS = 1_000;

function startPasswordCommand(command: string, timeoutMs: number): CommandRun {
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
  const password = new Promise<string>((resolve, reject) => {
    const firstLine = collectFirstLine(child.stdout, () => kill('printed too much'));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new TidingsError('config', 'passwordCommand could not start', { cause: error }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      // Only how it ended is reported, never what it printed.
      const failure = killedBecause ?? describeExit(code, signal);
      if (failure) reject(new TidingsError('config', `passwordCommand ${failure}`));
      else if (!firstLine()) reject(new TidingsError('config', 'passwordCommand printed nothing'));
      else resolve(firstLine());
    });
  });
  return { password, stop: () => kill('was stopped') };
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
