// Bundles the command line (`tidings`: tsc's dist/main/cli/main.js, after write-build-info.mjs
// has put the version and commit in) with the packages it uses into
// dist/cli/: one ES module to start from and a chunk per command, loaded when that command runs
// (the lazy imports of main.ts become split points). Why: Node 20 compiles module by module,
// and a restart of `tidings watch` spent 0.5–0.7 s loading its ~300 files before it did
// anything — zod alone is 95 files, 64 of them locales we never use; bundled and tree-shaken
// it is loaded in about 0.2 s (bench/RESULTS.md, issue 23). tsc's dist/main/ stays what the
// desktop app and the tests use. Run by `npm run build`.
//
// The packages stay dependencies (installed, with their licences) and exact pins, so the
// bundle holds the versions npm installs. Kept out of it and loaded from node_modules:
// electron (never in the CLI), and node-notifier, which finds its vendored helpers
// (terminal-notifier, SnoreToast) next to its own files through __dirname.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { lazyGbkPlugin } from './lazy-gbk.mjs';

const root = path.join(import.meta.dirname, '..');
const outdir = path.join(root, 'dist', 'cli');

/** Packages loaded from node_modules at run time rather than bundled. */
export const UNBUNDLED = ['electron', 'node-notifier'];

/** libmime without its GBK table built at load (scripts/lazy-gbk.mjs), in each bundle. */
const lazyGbk = lazyGbkPlugin();
const lazyGbkInWatch = lazyGbkPlugin();

const result = await build({
  entryPoints: [path.join(root, 'dist', 'main', 'cli', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: UNBUNDLED,
  // CommonJS packages in an ES module bundle: their require() of Node's modules and their
  // __dirname need these (esbuild leaves `require` to the host in ESM output).
  banner: {
    js: [
      "import { createRequire as __tidingsRequire } from 'node:module';",
      "import { fileURLToPath as __tidingsPath } from 'node:url';",
      'const require = __tidingsRequire(import.meta.url);',
      'const __filename = __tidingsPath(import.meta.url);',
      "const __dirname = __tidingsPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  // The packages' licence comments (/*! … */, @license), in a .LEGAL.txt beside each chunk
  // that holds any; their full licences stay in node_modules, where npm installs them.
  legalComments: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyGbk.plugin],
});
lazyGbk.check(result.metafile, process.cwd());

// `tidings watch` once more, as one CommonJS file, watch.cjs, and V8's code cache of it,
// watch.cjs.cache: Node 20 has no compile cache for ES modules, and compiling the bundle was
// about 0.1 s of a restart (app/main/cli/commands/cached-bundle.ts, which main.js runs it
// with). Its lazy imports stay lazy (esbuild defers a module imported with `import()` until
// it is called for); what is not bundled is imported from node_modules, as above. The cache
// fits the Node that ran this build; any other rejects it and compiles the source.
const watchFile = path.join(outdir, 'watch.cjs');
const watchResult = await build({
  entryPoints: [path.join(root, 'dist', 'main', 'cli', 'commands', 'watch-bundle.js')],
  outfile: watchFile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: UNBUNDLED,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyGbkInWatch.plugin],
});
lazyGbkInWatch.check(watchResult.metafile, process.cwd());
// esbuild escapes every non-ASCII character of the code it writes, not those of the comments
// it keeps: made ASCII too, the whole file is, and is read as Latin-1 at each start (a third
// of the time of decoding its 4.6 MB as UTF-8, cached-bundle.ts). Licence texts are in the
// .LEGAL.txt beside it, untouched.
writeFileSync(watchFile, readFileSync(watchFile, 'utf8').replace(/[^\p{ASCII}]/gu, '?'));
const cachedBundle = path.join(root, 'dist', 'main', 'cli', 'commands', 'cached-bundle.js');
const { writeCodeCache } = await import(pathToFileURL(cachedBundle).href);
writeCodeCache(watchFile);

// Which chunk holds which package: test/cli/main.test.ts checks what each command loads.
const meta = {
  inputs: { ...result.metafile.inputs, ...watchResult.metafile.inputs },
  outputs: { ...result.metafile.outputs, ...watchResult.metafile.outputs },
};
writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(meta));
