/**
 * Everything `tidings service` takes from the machine — platform, home, uid, the Node
 * binary, the service manager's commands — in one injectable object, so tests run it against
 * a temp HOME and a fake `systemctl`, and the real run against the real ones.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AccountResolver } from '../config/index.js';
import { resolveStateDir } from '../config/index.js';

/** What a service-manager command did. `missing`: the command is not installed at all. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  missing?: boolean;
}

/** Runs `command args` without a shell. */
export type Runner = (command: string, args: string[]) => Promise<RunResult>;

/** The machine as `tidings service` sees it. */
export interface ServiceWorld {
  platform: NodeJS.Platform;
  home: string;
  /** `$XDG_CONFIG_HOME`, if set. */
  xdgConfigHome: string | undefined;
  uid: number;
  user: string;
  /** The Node binary the service will run: the one running now. */
  node: string;
  /** This package's `bin/tidings.js`. */
  script: string;
  cwd: string;
  /** The environment the config is checked against (`passwordEnv` and the like). */
  vars: NodeJS.ProcessEnv;
  /** Where state goes without `--state-dir` (what `tidings watch` would use). */
  defaultStateDir: string;
  run: Runner;
  /** Waits between polls of launchctl while a booted-out agent goes away. */
  sleep(ms: number): Promise<void>;
  out(text: string): void;
  err(text: string): void;
  /** Looks up an account given by email alone; the CLI's default resolver when absent. */
  resolve?: AccountResolver;
}

/** The real machine, with `overrides` in place of any part. */
export function createServiceWorld(overrides: Partial<ServiceWorld> = {}): ServiceWorld {
  return {
    platform: process.platform,
    home: homedir(),
    xdgConfigHome: process.env.XDG_CONFIG_HOME,
    uid: process.getuid?.() ?? 0,
    user: userInfo().username,
    node: stableNodePath(process.execPath, process.env.PATH),
    script: tidingsScript(),
    cwd: process.cwd(),
    vars: process.env,
    get defaultStateDir() {
      return resolveStateDir(undefined);
    },
    run: runCommand,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    ...overrides,
  };
}

/**
 * The Node running now, by a name that outlives upgrades: `process.execPath` names the
 * binary itself, links resolved (on Linux libuv reads /proc/self/exe), which under Homebrew
 * would be /opt/homebrew/Cellar/node/22.1.0/bin/node, gone after `brew upgrade`. The first
 * `node` on PATH that is this very binary, or a link to it (/opt/homebrew/bin/node), is
 * used instead.
 */
export function stableNodePath(execPath: string, pathVariable: string | undefined): string {
  const real = realpathOrUndefined(execPath);
  for (const dir of (pathVariable ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, path.basename(execPath));
    if (real && realpathOrUndefined(candidate) === real) return candidate;
  }
  return execPath;
}

function realpathOrUndefined(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/** The default runner: execFile, 60 s at most (enable and restart wait for the start job). */
export const runCommand: Runner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (error as NodeJS.ErrnoException).code : 0;
      resolve({
        code: typeof code === 'number' ? code : error ? null : 0,
        stdout,
        stderr: stderr || (error && typeof code !== 'number' ? error.message : ''),
        ...(code === 'ENOENT' ? { missing: true } : {}),
      });
    });
  });

/** The first line of what a failed command said, for "could not …: REASON". */
export function reasonOf(command: string, result: RunResult): string {
  if (result.missing) return `${command} is not installed here`;
  // Without its final period: the caller's sentence goes on or ends it.
  const said = (result.stderr.trim() || result.stdout.trim()).split('\n')[0]?.replace(/\.$/, '');
  return (
    said || `${command} exited with ${result.code === null ? 'a signal' : `code ${result.code}`}`
  );
}

/** The file's text, or undefined when there is none. */
export function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Whether anything (a file, or a symlink even if dangling) is at `file`. */
export function pathExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `text` to `file` (0644: the service manager reads it; it holds no secret) through
 * a temporary file and a rename, so a manager never reads half a unit.
 */
export function writeServiceFile(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o644 });
  // writeFileSync's mode is filtered by the umask (0600 under umask 077): set it outright.
  chmodSync(temporary, 0o644);
  renameSync(temporary, file);
}

/** "wrote", "updated" or "kept (unchanged)", for the line that names the file. */
export function describeWrite(previous: string | undefined, text: string): string {
  if (previous === undefined) return 'wrote';
  return previous === text ? 'kept (unchanged)' : 'updated';
}

/** `word` as one word for a POSIX shell, for the commands printed for the user to run. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * This checkout's or package's bin/tidings.js: the first folder up from this module that holds
 * it (dist/cli/chunks/ in the bundle, dist/main/cli/service/ from tsc, app/main/cli/service/
 * under tsx). Else the script Node is running.
 */
function tidingsScript(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const script = path.join(dir, 'bin', 'tidings.js');
    if (existsSync(script)) return script;
    const up = path.dirname(dir);
    if (up === dir) return process.argv[1] ?? script;
    dir = up;
  }
}
