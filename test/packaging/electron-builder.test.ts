/**
 * Packaging as far as it runs here: installers download their tools at build time, but
 * `electron-builder --linux --dir` runs against a stub Electron folder (the real binary cannot
 * be downloaded either). That is enough to check what goes into app.asar and what is unpacked
 * beside it. Needs a fresh `npm run build` (npm test runs one first).
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import asar from '@electron/asar';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');
const pkg = (await import('../../package.json', { with: { type: 'json' } })).default;
let resources: string;
let files: string[];

beforeAll(async () => {
  const stub = mkdtempSync(path.join(tmpdir(), 'tidings-electron-stub-'));
  writeFileSync(path.join(stub, 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(stub, 'electron'), 0o755);
  const out = mkdtempSync(path.join(tmpdir(), 'tidings-release-'));
  await promisify(execFile)(
    path.join(root, 'node_modules', '.bin', 'electron-builder'),
    [
      '--linux',
      '--dir',
      `-c.electronDist=${stub}`,
      `-c.electronVersion=${pkg.devDependencies.electron}`,
      `-c.directories.output=${out}`,
    ],
    { cwd: root, timeout: 120_000, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
  );
  resources = path.join(out, 'linux-unpacked', 'resources');
  files = asar.listPackage(path.join(resources, 'app.asar'), { isPack: false });
}, 150_000);

describe('electron-builder --linux --dir', () => {
  it('packs the built main, preload and renderer, the tray icons and package.json', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/dist/main/index.js',
        '/dist/main/engine/supervisor.js',
        '/dist/preload/index.cjs',
        '/dist/renderer/index.html',
        '/dist/renderer/main.js',
        '/dist/renderer/styles.css',
        '/assets/tray/quiet.png',
        '/assets/tray/unreadTemplate@2x.png',
      ]),
    );
  });

  it('packs the runtime dependencies and none of the development ones', () => {
    const modules = new Set(
      files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/')[2]),
    );
    for (const dependency of Object.keys(pkg.dependencies)) expect(modules).toContain(dependency);
    for (const devDependency of [
      'electron',
      'electron-builder',
      'vitest',
      'typescript',
      'playwright-core',
    ]) {
      expect(modules).not.toContain(devDependency);
    }
  });

  it('leaves out sources, tests and source maps', () => {
    const ours = files.filter((f) => !f.startsWith('/node_modules/'));
    expect(ours.filter((f) => /^\/(app|test|bench|scripts)\//.test(f))).toEqual([]);
    expect(ours.filter((f) => /\.(ts|map)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it("unpacks node-notifier's vendored helpers so they can be executed", () => {
    const vendor = path.join(
      resources,
      'app.asar.unpacked',
      'node_modules',
      'node-notifier',
      'vendor',
    );
    expect(existsSync(path.join(vendor, 'snoreToast'))).toBe(true);
    expect(existsSync(path.join(vendor, 'mac.noindex'))).toBe(true);
  });
});
