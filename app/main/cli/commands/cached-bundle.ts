/**
 * Loads a CommonJS bundle of the CLI (dist/cli/watch.cjs) through V8's code cache, written
 * beside it by the build. Node 20 compiles every ES module from its source at each start
 * (`module.enableCompileCache` came in Node 22), and `tidings watch` compiled its 3.8 MB of
 * bundle in about 0.1 s of a restart's 0.7 s, all on the main thread before the first
 * connection (bench/RESULTS.md, issue 23). A `vm.Script` takes V8's cached data instead: the
 * functions the build saw compiled are deserialized, not parsed again.
 *
 * V8 checks the cache against the source, its own version and its flags, and rejects one that
 * does not fit (another Node, a rebuilt bundle): the script is then compiled from its source,
 * as before, and nothing is written at run time (dist/ may be read-only).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

// The same CommonJS wrapper at the build and at run time: the cache is of this exact text.
const WRAP_START = '(function (exports, require, module, __filename, __dirname) {';
const WRAP_END = '\n})';

/** A loaded bundle's exports, and whether V8 took the cache (false: none, or rejected). */
export interface CachedBundle<T> {
  exports: T;
  cacheUsed: boolean;
}

/** Where the code cache of `file` is kept. */
export function cacheFileOf(file: string): string {
  return `${file}.cache`;
}

/**
 * Runs the CommonJS bundle `file` with its code cache if there is one that fits; undefined
 * when there is no such bundle (tsc's unbundled dist/main/, a test) or this Node cannot run
 * it so (dynamic `import()` from a script needs `USE_MAIN_CONTEXT_DEFAULT_LOADER`, 20.19+).
 */
export function loadCachedBundle<T>(file: string): CachedBundle<T> | undefined {
  if (vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER === undefined) return undefined;
  let source: string;
  try {
    source = readSource(file);
  } catch {
    return undefined;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFileOf(file));
  } catch {
    cachedData = undefined;
  }
  const script = compile(file, source, cachedData);
  const exports = run<T>(script, file);
  return { exports, cacheUsed: cachedData !== undefined && script.cachedDataRejected === false };
}

/**
 * At build time: runs the bundle's top level (its modules' definitions; the bundle starts
 * nothing by itself) and writes V8's cache of every function compiled by then.
 */
export function writeCodeCache(file: string): number {
  const script = compile(file, readSource(file), undefined);
  run(script, file);
  const data = script.createCachedData();
  writeFileSync(cacheFileOf(file), data);
  return data.length;
}

/**
 * The build writes the bundle in ASCII only (scripts/bundle-cli.mjs), so Latin-1 reads it as
 * UTF-8 would, without decoding: 1–6 ms against 15–18 ms for 4.6 MB.
 */
function readSource(file: string): string {
  return readFileSync(file, 'latin1');
}

function compile(file: string, source: string, cachedData: Buffer | undefined): vm.Script {
  return new vm.Script(WRAP_START + source + WRAP_END, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    // import() of the packages left out of the bundle (node-notifier) goes to Node's loader.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

function run<T>(script: vm.Script, file: string): T {
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (
    exports: T,
    require: NodeJS.Require,
    module: { exports: T },
    filename: string,
    dirname: string,
  ) => void;
  wrapper.call(
    module.exports,
    module.exports,
    createRequire(file),
    module,
    file,
    path.dirname(file),
  );
  return module.exports;
}
