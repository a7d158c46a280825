/**
 * Runs the compiled `tidings` (bin/tidings.js, as users run it) to its end and hands back
 * its exit code and output. For commands that finish on their own (`check`, `mailboxes`);
 * `watch` has `watch-process.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tidings.js', import.meta.url));

/** How a finished `tidings` run ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A started run: the process (to signal it) and how it ends. */
export interface StartedCli {
  child: ChildProcess;
  stderr(): string;
  done: Promise<CliRun>;
}

/** Starts `tidings ...args` with `env` added, killing it (and failing) after `limitMs`. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  limitMs = 60_000,
): StartedCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve, reject) => {
    // A backstop for a hung run, so the test fails naming it instead of timing out blind.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tidings ${args.join(' ')} still running after ${limitMs} ms:\n${stderr}`));
    }, limitMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, stderr: () => stderr, done };
}

/** Runs `tidings ...args` to its end. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return startCli(args, env).done;
}
