/**
 * Runs the built `tidings` (bin/tidings.js) with a module hook that writes down every
 * module Node loads through `import`, and hands back the packages among them: those loaded
 * from node_modules, and those bundled into the chunks of dist/cli/ it loaded (the build's
 * meta.json says which package's files each chunk holds). What a command loads before it does
 * anything is most of a restart's time (bench/RESULTS.md, issue 23).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'tidings.js');

/** The packages whose files are in each output of the bundle, by its path under ROOT. */
export function bundledPackages(): Map<string, Set<string>> {
  const meta = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'cli', 'meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  const byOutput = new Map<string, Set<string>>();
  for (const [output, { inputs }] of Object.entries(meta.outputs)) {
    const names = new Set<string>();
    for (const input of Object.keys(inputs)) {
      const name = packageOf(input);
      if (name) names.add(name);
    }
    byOutput.set(output, names);
  }
  return byOutput;
}

function packageOf(file: string): string | undefined {
  return /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
}

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
  /** Our own modules it loaded (outside node_modules), relative to the checkout. */
  ours: string[];
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
    const ours: string[] = [];
    const bundled = bundledPackages();
    for (const url of readFileSync(file, 'utf8').split('\n')) {
      if (!url.startsWith('file:')) continue;
      const loaded = fileURLToPath(url);
      const name = packageOf(loaded);
      if (name) packages.add(name);
      const output = path.relative(ROOT, loaded).split(path.sep).join('/');
      if (!name) ours.push(output);
      for (const inside of bundled.get(output) ?? []) packages.add(inside);
    }
    return { code, stdout, stderr, packages, ours };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
