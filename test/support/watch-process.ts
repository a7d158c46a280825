/**
 * Runs the real `tidings watch --json` as a child process (the compiled CLI, as users run
 * it) and collects its JSON lines. Anything on stdout that is not a JSON object fails the
 * test: the contract is "nothing else on stdout".
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventLog } from './event-log.js';

const BIN = fileURLToPath(new URL('../../bin/tidings.js', import.meta.url));

/** One line of `tidings watch --json`. */
export type WatchEvent = Record<string, unknown> & { event: string };

/** A running `tidings watch`. */
export interface WatchProcess {
  events: EventLog<WatchEvent>;
  stderr(): string;
  /** Everything written to stdout so far, as written. */
  stdout(): string;
  /** Non-JSON lines seen on stdout (should stay empty). */
  strayStdout: string[];
  signal(signal: NodeJS.Signals): void;
  /** Whether the process has neither exited nor been killed yet. */
  running(): boolean;
  pid: number;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Writes `config` to a temp file and returns its path. */
export function writeConfig(
  config: unknown,
  dir = mkdtempSync(path.join(tmpdir(), 'tidings-cfg-')),
): string {
  const file = path.join(dir, 'config.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

/**
 * Starts `tidings watch --config FILE --json --no-desktop --state-dir DIR`, through
 * `launcher` if given: a command that ends by exec'ing the rest of its argv in the same
 * process (`nsenter --net=…`), so signals still reach `tidings` itself.
 */
export function startWatch(options: {
  configFile: string;
  stateDir: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  launcher?: string[];
}): WatchProcess {
  const args = [
    BIN,
    'watch',
    '--config',
    options.configFile,
    '--json',
    '--no-desktop',
    '--state-dir',
    options.stateDir,
    ...(options.args ?? []),
  ];
  const argv = [...(options.launcher ?? []), process.execPath, ...args];
  const child = spawn(argv[0] ?? process.execPath, argv.slice(1), {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events = new EventLog<WatchEvent>();
  const strayStdout: string[] = [];
  let stderr = '';
  let stdout = '';
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        const parsed = JSON.parse(line) as WatchEvent;
        if (typeof parsed?.event !== 'string') throw new Error('no event field');
        events.push(parsed);
      } catch {
        strayStdout.push(line);
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    events,
    strayStdout,
    stderr: () => stderr,
    stdout: () => stdout,
    signal: (signal) => child.kill(signal),
    running: () => child.exitCode === null && child.signalCode === null,
    pid: child.pid ?? 0,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A `status` event matcher. */
/** Resolves with the `count`-th stderr line of `proc` matching `pattern` (15 s at most). */
export async function waitForStderr(
  proc: WatchProcess,
  pattern: RegExp,
  count = 1,
): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const lines = proc
      .stderr()
      .split('\n')
      .filter((line) => pattern.test(line));
    if (lines.length >= count) return lines[count - 1] as string;
    if (Date.now() > deadline) {
      throw new Error(`stderr never had ${count} × ${pattern}:\n${proc.stderr().slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function isStatus(account: string, mailbox: string, state: string) {
  return (e: WatchEvent) =>
    e.event === 'status' && e.account === account && e.mailbox === mailbox && e.state === state;
}

/** A running `tidings login`. */
export interface LoginProcess {
  /** Resolves with the address it asks the user to open (printed on stderr). */
  url: Promise<string>;
  stderr(): string;
  stdout(): string;
  exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
}

/** Starts `tidings login --config FILE --state-dir DIR --no-browser ACCOUNT_ID`. */
export function startLogin(options: {
  configFile: string;
  stateDir: string;
  account: string;
  env?: NodeJS.ProcessEnv;
}): LoginProcess {
  const args = [
    BIN,
    'login',
    '--config',
    options.configFile,
    '--state-dir',
    options.stateDir,
    '--no-browser',
    options.account,
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  let foundUrl: (url: string) => void = () => {};
  let noUrl: (error: Error) => void = () => {};
  const url = new Promise<string>((resolve, reject) => {
    foundUrl = resolve;
    noUrl = reject;
  });
  url.catch(() => {});
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    const match = /^ {2}(https?:\/\/\S+)$/m.exec(stderr);
    if (match?.[1]) foundUrl(match[1]);
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      noUrl(new Error(`tidings login exited (${code}) without an address:\n${stderr}`));
      resolve(code);
    }),
  );
  return {
    url,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    signal: (signal) => child.kill(signal),
  };
}
