/**
 * Runs the compiled `tidings` (bin/tidings.js) with a module hook that writes down every
 * module Node loads through `import`, and hands back the packages among them. What a command
 * loads before it does anything is most of a restart's time (bench/RESULTS.md, issue 23).
 * Packages that a CommonJS package `require`s are not seen, only those imported from ES
 * modules (ours, and the packages we import directly).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tidings.js', import.meta.url));

// Runs on the loader's thread; appends each URL it loads to the file it was given.
const HOOKS = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) {
  appendFileSync(file, url + '\\n');
  return next(url, context);
}`;

const registerHooks = (file: string) => `
import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)}, {
  data: { file: ${JSON.stringify(file)} },
});`;

/** How a run ended, and the packages (names under node_modules) it loaded. */
export interface LoadedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  packages: Set<string>;
}

/** Runs `tidings ...args` to its end, noting the packages it loads. */
export async function runCliNotingModules(args: string[]): Promise<LoadedRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-modules-'));
  const file = path.join(dir, 'loaded.txt');
  try {
    const hook = `data:text/javascript,${encodeURIComponent(registerHooks(file))}`;
    const child = spawn(process.execPath, ['--import', hook, BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    const packages = new Set<string>();
    for (const url of readFileSync(file, 'utf8').split('\n')) {
      const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
      if (name) packages.add(name);
    }
    return { code, stdout, stderr, packages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
