/**
 * A hook command for tests: a small Node script in a temp dir that appends one JSON line per
 * run to `runs.jsonl` (its argv, its TIDINGS_* environment, which HOOK_TEST_* variables it
 * inherited, its stdin, its pid), and can be
 * told to wait at a gate file, to hang (ignoring SIGTERM, with a grandchild), to flood its
 * output or to fail — each by an argument fixed in the config, never by message data.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SCRIPT = String.raw`
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const [log, mode = 'plain', arg = ''] = process.argv.slice(2);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TIDINGS_')));
const inherited = Object.keys(process.env).filter((k) => k.startsWith('HOOK_TEST_')).sort();
let stdin = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (stdin += chunk));
process.stdin.on('end', () => {
  const record = { argv: process.argv.slice(2), env, inherited, stdin, pid: process.pid };
  if (mode === 'hang-once' && !fs.existsSync(arg)) {
    fs.writeFileSync(arg, '');
    process.on('SIGTERM', () => {});
    const grandchild = spawn('sleep', ['1000'], { stdio: 'ignore' });
    record.grandchild = grandchild.pid;
    fs.appendFileSync(log, JSON.stringify(record) + '\n');
    setInterval(() => {}, 1000);
    return;
  }
  fs.appendFileSync(log, JSON.stringify(record) + '\n');
  if (mode === 'gate') {
    const wait = () => (fs.existsSync(arg) ? process.exit(0) : setTimeout(wait, 20));
    wait();
  } else if (mode === 'flood') {
    const chunk = 'x'.repeat(64 * 1024) + '\n';
    for (let i = 0; i < 16; i++) { process.stdout.write(chunk); process.stderr.write(chunk); }
    process.stderr.write('the last words of a failing hook\n');
    process.exitCode = 3;
  }
});
`;

/** A hook script and what its runs recorded. */
export interface HookScript {
  dir: string;
  /** argv for an array-form hook: node, the script, the log, then `args`. */
  argv(...args: string[]): string[];
  /** The same as one shell string (for the string form), each word single-quoted. */
  shell(...args: string[]): string;
  /** Every run so far, in order. */
  runs(): HookRunRecord[];
  /** Resolves once `count` runs have been recorded; rejects after `timeoutMs`. */
  waitForRuns(count: number, timeoutMs?: number): Promise<HookRunRecord[]>;
}

/** What one run recorded. */
export interface HookRunRecord {
  argv: string[];
  env: Record<string, string>;
  /** Names of the HOOK_TEST_* variables it inherited. */
  inherited: string[];
  stdin: string;
  pid: number;
  grandchild?: number;
}

/** Writes the script into a new temp dir. */
export function createHookScript(name = 'hook'): HookScript {
  const dir = mkdtempSync(path.join(tmpdir(), `tidings-${name}-`));
  const script = path.join(dir, 'hook.cjs');
  const log = path.join(dir, 'runs.jsonl');
  writeFileSync(script, SCRIPT);
  const argv = (...args: string[]) => [process.execPath, script, log, ...args];
  const runs = (): HookRunRecord[] =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as HookRunRecord)
      : [];
  return {
    dir,
    argv,
    shell: (...args) =>
      argv(...args)
        .map(quote)
        .join(' '),
    runs,
    async waitForRuns(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (runs().length < count) {
        if (Date.now() > deadline) {
          throw new Error(`waited for ${count} hook runs in ${dir}, had ${runs().length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return runs();
    },
  };
}

/** Single-quotes a word for /bin/sh. */
export function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Whether a process with this pid still runs (a zombie waiting to be reaped does not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An orphan killed under a PID 1 that does not reap stays a zombie: dead, but kill(0) works.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
