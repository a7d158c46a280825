/**
 * Packaging as far as it runs here: installers download their tools at build time, but
 * `electron-builder --linux --dir` runs against a stub Electron folder (the real binary cannot
 * be downloaded either). That is enough to check what goes into app.asar and what is unpacked
 * beside it. Needs a fresh `npm run build` (npm test runs one first).
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import asar from '@electron/asar';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appPaths } from '../../app/main/app-paths.js';

const root = path.join(import.meta.dirname, '..', '..');
const pkg = (await import('../../package.json', { with: { type: 'json' } })).default;
let resources: string;
let files: string[];
let binary: Buffer;
let updateFeed: string;

// @electron/fuses' format: a sentinel, the wire's version (1) and length, then one byte per
// fuse: '0' off, '1' on. The order is FuseV1Options'.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const fuseNames = [
  'RunAsNode',
  'EnableCookieEncryption',
  'EnableNodeOptionsEnvironmentVariable',
  'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation',
  'OnlyLoadAppFromAsar',
  'LoadBrowserProcessSpecificV8Snapshot',
  'GrantFileProtocolExtraPrivileges',
] as const;
const shippedFuses = '10110001';

function fuseWire(states: string): Buffer {
  return Buffer.concat([
    Buffer.from(SENTINEL),
    Buffer.from([1, states.length]),
    Buffer.from(states),
  ]);
}

function readFuses(file: Buffer): Record<string, boolean> {
  const at = file.indexOf(SENTINEL) + SENTINEL.length;
  const length = file[at + 1] ?? 0;
  return Object.fromEntries(
    fuseNames.slice(0, length).map((name, i) => [name, file[at + 2 + i] === '1'.charCodeAt(0)]),
  );
}

beforeAll(async () => {
  const stub = mkdtempSync(path.join(tmpdir(), 'tidings-electron-stub-'));
  // A stand-in binary with Electron's fuse wire in it, set as Electron 41 ships it, so that
  // electron-builder's @electron/fuses step runs on it as on the real one.
  writeFileSync(
    path.join(stub, 'electron'),
    Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), fuseWire(shippedFuses)]),
  );
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
  updateFeed = readFileSync(path.join(resources, 'app-update.yml'), 'utf8');
  binary = readFileSync(path.join(out, 'linux-unpacked', 'tidings'));
  files = asar.listPackage(path.join(resources, 'app.asar'), { isPack: false });
}, 150_000);

describe('electron-builder --linux --dir', () => {
  it('packs the built main, preload and renderer, the tray icons and package.json', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/dist/main/index.js',
        '/dist/main/engine/watch/supervisor.js',
        '/dist/preload/index.cjs',
        '/dist/renderer/index.html',
        '/dist/renderer/main.js',
        '/dist/renderer/styles.css',
        '/assets/tray/quiet.png',
        '/assets/tray/unreadTemplate@2x.png',
      ]),
    );
  });

  it('packs every file the built main process loads, where it looks for it', () => {
    for (const mainDir of [
      path.join(root, 'dist', 'main'),
      path.join(resources, 'app.asar', 'dist', 'main'),
    ]) {
      const { preload, html, assets } = appPaths(mainDir);
      const wanted = [
        preload,
        html,
        ...['quiet', 'unread', 'problem'].flatMap((kind) => [
          path.join(assets, 'tray', `${kind}.png`),
          path.join(assets, 'tray', `${kind}Template.png`),
        ]),
      ];
      for (const file of wanted) {
        const inAsar = path.relative(path.join(resources, 'app.asar'), file);
        if (inAsar.startsWith('..')) expect(existsSync(file), file).toBe(true);
        else expect(files, file).toContain(`/${inAsar}`);
      }
    }
  });

  it('packs the runtime dependencies and none of the development ones', () => {
    // A scoped package (@homebridge/dbus-native) is two path segments.
    const modules = new Set(
      files
        .filter((f) => f.startsWith('/node_modules/'))
        .map((f) => /^\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]),
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
    // The command line's bundle is the npm package's; the app runs dist/main/.
    expect(ours.filter((f) => f.startsWith('/dist/cli'))).toEqual([]);
    expect(ours.filter((f) => /\.(ts|map)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('flips the fuses: no run-as-node, NODE_OPTIONS or --inspect; asar only, and checked', () => {
    expect(binary.indexOf(SENTINEL)).toBeGreaterThan(0);
    expect(readFuses(binary)).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      LoadBrowserProcessSpecificV8Snapshot: false,
      GrantFileProtocolExtraPrivileges: false,
    });
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

interface BuilderConfig {
  appId: string;
  publish: { provider: string; releaseType: string };
  linux: { target: string[]; icon: string; desktop: { entry: Record<string, string> } };
  mac: {
    target: string[];
    hardenedRuntime: boolean;
    entitlements: string;
    entitlementsInherit: string;
    extendInfo: Record<string, unknown>;
  };
  win: { target: string };
  nsis: { oneClick: boolean; perMachine: boolean; createStartMenuShortcut: boolean };
}

const builderConfig = (): BuilderConfig =>
  parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  // electron-builder ships its configuration's JSON schema; keywords of its own ("typeof")
  // are not JSON Schema's, hence strict off.
  const schema = JSON.parse(
    readFileSync(path.join(root, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8'),
  ) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it("is valid against electron-builder's own schema", () => {
    expect(validate(builderConfig()), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema refuses a misspelt option (its control)', () => {
    const config = builderConfig();
    expect(validate({ ...config, mac: { ...config.mac, hardendRuntime: true } })).toBe(false);
  });

  it('builds what a person expects on each OS', () => {
    const config = builderConfig();
    expect(config.linux.target.sort()).toEqual(['AppImage', 'deb', 'rpm']);
    // The updater needs the zip beside the dmg.
    expect(config.mac.target.sort()).toEqual(['dmg', 'zip']);
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    expect(config.win.target).toBe('nsis');
    expect(config.nsis).toMatchObject({
      perMachine: false,
      createStartMenuShortcut: true,
    });
    // Toasts show the app's name and icon when the shortcut's AppUserModelID is the one the
    // app sets at start (app.setAppUserModelId in the composition root).
    const main = readFileSync(path.join(root, 'app', 'main', 'index.ts'), 'utf8');
    expect(main).toContain(`const APP_ID = '${config.appId}'`);
    expect(main).toContain('app.setAppUserModelId(APP_ID)');
  });

  it('signs macOS with the hardened runtime and one entitlement: JIT', () => {
    const config = builderConfig();
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements);
    const plist = readFileSync(path.join(root, config.mac.entitlements), 'utf8');
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual([
      'com.apple.security.cs.allow-jit',
    ]);
  });

  it('gives Linux an icon in every hicolor size and a desktop entry', () => {
    const config = builderConfig();
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
      const png = readFileSync(path.join(root, config.linux.icon, `${size}x${size}.png`));
      // IHDR: width and height, big-endian, at bytes 16 and 20.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    expect(config.linux.desktop.entry.StartupWMClass).toBe('Tidings');
  });

  it('publishes to a draft GitHub Release, which the packed app reads its updates from', () => {
    expect(builderConfig().publish).toEqual({ provider: 'github', releaseType: 'draft' });
    expect(parse(updateFeed)).toMatchObject({
      provider: 'github',
      owner: 'tidings-app',
      repo: 'tidings',
    });
    expect(pkg.repository.url).toContain('github.com/tidings-app/tidings');
  });
});
