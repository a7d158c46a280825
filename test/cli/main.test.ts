/**
 * The command line's dispatch: `--version` and `--help` answer without loading the engine,
 * and a command loads its own modules only, from the bundle (bench/RESULTS.md, issue 23:
 * loading the whole CLI first was 0.4–0.7 s of a restart, its ~300 files 0.5 s). The
 * commands themselves are tested in commands/.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledPackages, runCliNotingModules } from '../support/loaded-modules.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the tidings command line', () => {
  it('says its version with --version, loading no package', async () => {
    const run = await runCliNotingModules(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^tidings \d+\.\d+\.\d+ \((?:[0-9a-f]{12}|unknown)\)\n$/);
    expect([...run.packages]).toEqual([]);
    expect(run.ours.filter((file) => !file.startsWith('dist/cli/'))).toEqual(['bin/tidings.js']);
  });

  it('prints its usage with --help, loading no package', async () => {
    const run = await runCliNotingModules(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: tidings --version\n/);
    expect(run.stdout).toContain('tidings watch --config FILE');
    expect([...run.packages]).toEqual([]);
  });

  it('runs watch without loading the service, autoconfig or macOS popup packages', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tidings-main-'));
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ accounts: 5 }));
    const run = await runCliNotingModules(['watch', '--config', config]);
    // A bad config from the command loaded on demand still exits 2, naming the problem.
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${config}: invalid configuration`);
    // Watch ran from its code-cached bundle, dist/cli/watch.cjs (commands/cached-bundle.ts),
    // which Node's module hooks do not see, and not from its chunk; the bundle holds what
    // watch needs.
    expect(run.ours.filter((file) => file.includes('/watch-command-'))).toEqual([]);
    const inWatch = bundledPackages().get('dist/cli/watch.cjs');
    expect(inWatch).toContain('imapflow');
    expect(inWatch).toContain('zod');
    // What was loaded through `import` (main.ts's check of the config error): not the
    // service's plist, autoconfig's XML parser and public-suffix list, or node-notifier
    // (macOS and Windows popups) or the D-Bus library (Linux popups). In watch.cjs, esbuild
    // keeps a module reached by `import()` unevaluated until it is called for, as it keeps it
    // in its own chunk in the ES module build: each is loaded at the first popup that needs it.
    for (const name of [
      'plist',
      'fast-xml-parser',
      'tldts',
      'node-notifier',
      '@homebridge/dbus-native',
    ]) {
      expect(run.packages, name).not.toContain(name);
    }
    // One bundle: none of tsc's thousand files of dist/main/, no package from node_modules.
    expect(run.ours.filter((file) => !file.startsWith('dist/cli/'))).toEqual(['bin/tidings.js']);
    expect(run.ours).toContain('dist/cli/main.js');
  });
});
