/**
 * Runs the compiled `tidings` (bin/tidings.js, as users run it) to its end and hands back
 * its exit code and output. For commands that finish on their own (`check`, `mailboxes`);
 * `watch` has `watch-process.ts`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tidings.js', import.meta.url));

/** How a finished `tidings` run ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tidings ...args` with `env` added, killing it (and failing) after `limitMs`. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  limitMs = 60_000,
): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
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
}
