/**
 * The headless CLI as npm users get it (issue 20): `npm pack` of this checkout, installed into
 * an empty prefix the way `npm install -g tidings` would, then `tidings --version` and
 * `tidings check` against a throwaway Dovecot from that install. The tarball holds bin/ and
 * dist/ only, and nothing it installs has a script that would run (or download) at install.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { writeConfig } from '../support/watch-process.js';

const root = path.join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const work = mkdtempSync(path.join(tmpdir(), 'tidings-npm-'));
const prefix = path.join(work, 'prefix');
let packed: string[];
let tidings: string;
let dovecot: Dovecot;

beforeAll(async () => {
  // --ignore-scripts: no `prepare` rebuild of dist/ while other suites run from it (npm test
  // built it just before).
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    { cwd: root, timeout: 120_000 },
  );
  const [report] = JSON.parse(stdout) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  if (!report) throw new Error('npm pack reported nothing');
  packed = report.files.map((file) => file.path);
  await run(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      path.join(work, report.filename),
    ],
    // A CLI user has no Electron and wants none: nothing here may need it.
    { cwd: work, timeout: 240_000, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' } },
  );
  tidings = path.join(prefix, 'node_modules', '.bin', 'tidings');
  dovecot = await startDovecot({ pack: 'pw' });
}, 300_000);

afterAll(async () => {
  await dovecot?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the npm package', { timeout: 120_000 }, () => {
  it('holds bin/ and dist/ only (with package.json and the README)', () => {
    const outside = packed.filter((file) => !/^(bin|dist)\//.test(file));
    expect(outside.sort()).toEqual(['README.md', 'package.json']);
    expect(packed).toContain('bin/tidings.js');
    // The CLI as bundled (scripts/bundle-cli.mjs), without the build's map of its chunks.
    expect(packed).toContain('dist/cli/main.js');
    expect(packed).not.toContain('dist/cli/meta.json');
    expect(packed.filter((file) => /\.(ts|map)$/.test(file) && !file.endsWith('.d.ts'))).toEqual(
      [],
    );
  });

  it('installs nothing that runs a script at install time, and not Electron', () => {
    const modules = path.join(prefix, 'node_modules');
    const withScripts: string[] = [];
    const visit = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const at = path.join(dir, entry.name);
        if (entry.name.startsWith('@')) {
          visit(at);
          continue;
        }
        const manifest = path.join(at, 'package.json');
        if (existsSync(manifest)) {
          const scripts = (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: object })
            .scripts as Record<string, string> | undefined;
          if (scripts?.preinstall || scripts?.install || scripts?.postinstall) {
            withScripts.push(entry.name);
          }
        }
        if (existsSync(path.join(at, 'node_modules'))) visit(path.join(at, 'node_modules'));
      }
    };
    visit(modules);
    // The package itself has `prepare` only, which npm does not run for a registry install.
    expect(withScripts).toEqual([]);
    expect(existsSync(path.join(modules, 'electron'))).toBe(false);
    for (const dependency of Object.keys(pkg.dependencies)) {
      expect(existsSync(path.join(modules, dependency)), dependency).toBe(true);
    }
  });

  it('tidings --version says the version and the commit it was built from', async () => {
    const { stdout } = await run(tidings, ['--version'], { cwd: work });
    const [, version, commit] = /^tidings (\S+) \(([0-9a-f]{12})\)\n$/.exec(stdout) ?? [];
    expect(version, stdout).toBe(pkg.version);
    // The commit this checkout's build was made from: HEAD, or before it if a commit came since.
    await expect(
      run('git', ['merge-base', '--is-ancestor', commit ?? 'none', 'HEAD'], { cwd: root }),
    ).resolves.toBeDefined();
  });

  it('tidings check passes against a real server from the installed package', async () => {
    const config = writeConfig({
      accounts: [
        {
          id: 'pack',
          host: dovecot.host,
          port: dovecot.port,
          tls: 'none',
          allowInsecureAuth: true,
          user: 'pack',
          password: 'pw',
        },
      ],
    });
    const { stdout } = await run(
      tidings,
      ['check', '--config', config, '--state-dir', path.join(work, 'state')],
      { cwd: work, timeout: 60_000 },
    );
    expect(stdout).toMatch(/INBOX/);
  });
});
