/**
 * Updates with electron-updater's own code (AppImageUpdater: the feed, the version rules, the
 * download and its checksum), driven by the app's update controller against a local HTTP
 * server that serves a `latest-linux.yml` and the AppImage. What stands in for Electron: the
 * app adapter (version, paths, not a development build) and the HTTP transport, which in the
 * app is Electron's `net` module and here Node's `http`. The final step, replacing the
 * running AppImage and relaunching, needs the packaged app; the test stops at calling it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http, { type ClientRequest, type RequestOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  configureRequestOptions,
  configureRequestUrl,
  HttpExecutor,
  type DownloadOptions,
} from 'builder-util-runtime';
import { AppImageUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UpdateStatus } from '../../app/common/ipc-contract.js';
import {
  createUpdateController,
  type UpdateController,
} from '../../app/main/electron/update-controller.js';
import { systemClock } from '../../app/main/engine/base/ports.js';
import { ManualClock } from '../support/manual-clock.js';

/**
 * Node's http for electron-updater, where the app uses Electron's net: the request, and the
 * download as electron-updater's own ElectronHttpExecutor starts it (the base class streams
 * it to disk through the sha512 check).
 */
class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: unknown) => void): ClientRequest {
    return http.request(options, callback);
  }

  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error) => (error ? reject(error) : resolve(destination)),
          responseHandler: null,
        },
        0,
      );
    });
  }
}

const installed = '1.3.0';
const appImage = Buffer.from('#!/bin/sh\necho "Tidings 1.4.0"\n'.repeat(200));
const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('base64');

/** What the feed serves for the next checks. */
const feed = { yml: '', file: appImage, requests: [] as string[] };
let server: http.Server;
let base: string;

function latestYml(version: string, file = appImage, declared = file): string {
  const name = `Tidings-${version}.AppImage`;
  return [
    `version: ${version}`,
    'files:',
    `  - url: ${name}`,
    `    sha512: ${sha512(declared)}`,
    `    size: ${declared.length}`,
    `path: ${name}`,
    `sha512: ${sha512(declared)}`,
    "releaseDate: '2026-12-06T10:00:00.000Z'",
    '',
  ].join('\n');
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    // electron-updater adds a query string against caches.
    const file = new URL(request.url ?? '/', 'http://feed').pathname;
    feed.requests.push(file);
    if (file.endsWith('latest-linux.yml')) {
      response.writeHead(200, { 'content-type': 'text/yaml' });
      response.end(feed.yml);
    } else if (file.endsWith('.AppImage')) {
      response.writeHead(200, { 'content-length': String(feed.file.length) });
      response.end(feed.file);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const controllers: UpdateController[] = [];
afterEach(() => {
  for (const controller of controllers.splice(0)) controller.stop();
  feed.requests.length = 0;
  vi.unstubAllEnvs();
});

/** A real AppImageUpdater of an installed 1.3.0 AppImage, reading its feed from `url`. */
function updaterFor(url: string): AppImageUpdater {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-update-'));
  // electron-builder writes this file beside app.asar; the packed app reads its feed from it.
  const config = path.join(dir, 'app-update.yml');
  writeFileSync(config, `provider: generic\nurl: ${url}\nupdaterCacheDirName: tidings-updater\n`);
  const current = path.join(dir, 'Tidings-1.3.0.AppImage');
  writeFileSync(current, 'the installed AppImage');
  vi.stubEnv('APPIMAGE', current);
  const app: AppAdapter = {
    version: installed,
    name: 'Tidings',
    isPackaged: true,
    appUpdateConfigPath: config,
    userDataPath: dir,
    baseCachePath: dir,
    whenReady: () => Promise.resolve(),
    relaunch: () => {},
    quit: () => {},
    onQuit: () => {},
  };
  const updater = new AppImageUpdater(undefined, app);
  // A protected member: set by the updater's constructor only with Electron's app adapter.
  (updater as unknown as { httpExecutor: NodeHttpExecutor }).httpExecutor = new NodeHttpExecutor();
  updater.logger = null;
  // No blockmap in this feed: the whole file is downloaded, as on a first update.
  updater.disableDifferentialDownload = true;
  return updater;
}

function controlled(url = base, options: { online?: () => boolean; enabled?: () => boolean } = {}) {
  const updater = updaterFor(url);
  const seen: UpdateStatus[] = [];
  const controller = createUpdateController({
    updater,
    enabled: options.enabled ?? (() => true),
    isOnline: options.online ?? (() => true),
    clock: systemClock,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    onChange: (status) => seen.push(status),
  });
  controllers.push(controller);
  return { updater, controller, seen };
}

describe('updates with electron-updater against a local feed', { timeout: 30_000 }, () => {
  it('downloads a newer version in the background, then offers the restart, and only then', async () => {
    feed.yml = latestYml('1.4.0');
    const { updater, controller, seen } = controlled();
    const quitAndInstall = vi.spyOn(updater, 'quitAndInstall').mockImplementation(() => {});
    expect(controller.restartToUpdate()).toBe(false);
    await expect(controller.checkNow()).resolves.toEqual({ state: 'ready', version: '1.4.0' });
    expect(seen.map((s) => s.state)).toEqual(
      expect.arrayContaining(['checking', 'downloading', 'ready']),
    );
    expect(feed.requests.filter((r) => r.endsWith('.AppImage'))).toHaveLength(1);
    expect(quitAndInstall).not.toHaveBeenCalled();
    expect(controller.restartToUpdate()).toBe(true);
    expect(quitAndInstall).toHaveBeenCalledExactlyOnceWith(false, true);
  });

  it('finds nothing to do when the feed has the installed version', async () => {
    feed.yml = latestYml(installed);
    const { controller } = controlled();
    const status = await controller.checkNow();
    expect(status).toMatchObject({ state: 'idle', checkedAt: expect.any(String) as string });
    expect(feed.requests.filter((r) => r.endsWith('.AppImage'))).toEqual([]);
  });

  it('never goes back to an older version', async () => {
    feed.yml = latestYml('1.2.9');
    const { controller } = controlled();
    await expect(controller.checkNow()).resolves.toMatchObject({ state: 'idle' });
    expect(feed.requests.filter((r) => r.endsWith('.AppImage'))).toEqual([]);
  });

  it('names a malformed feed', async () => {
    feed.yml = 'version: [not, a, version\n';
    const { controller } = controlled();
    const status = await controller.checkNow();
    expect(status.state).toBe('error');
    expect(status.state === 'error' && status.message).toMatch(/\S/);
  });

  it('names a feed without a valid version', async () => {
    feed.yml = 'version: tomorrow\nfiles: []\n';
    const { controller } = controlled();
    const status = await controller.checkNow();
    expect(status).toMatchObject({ state: 'error' });
    expect(status.state === 'error' && status.message).toMatch(/version/i);
  });

  it('names an unreachable feed', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { controller } = controlled(`http://127.0.0.1:${port}/`);
    const status = await controller.checkNow();
    expect(status).toMatchObject({ state: 'error' });
    expect(status.state === 'error' && status.message).toMatch(/ECONNREFUSED/);
  });

  it('refuses a download whose size and checksum are not the feed’s, and offers no restart', async () => {
    // The feed declares another file than the one served (a truncated or tampered download).
    feed.yml = latestYml('1.4.0', appImage, Buffer.concat([appImage, Buffer.from('more')]));
    const { controller } = controlled();
    const status = await controller.checkNow();
    expect(status).toMatchObject({ state: 'error' });
    expect(status.state === 'error' && status.message).toMatch(/^sha512 checksum mismatch/);
    expect(controller.restartToUpdate()).toBe(false);
  });

  it('asks nothing while offline', async () => {
    feed.yml = latestYml('1.4.0');
    const { controller } = controlled(base, { online: () => false });
    await expect(controller.checkNow()).resolves.toEqual({ state: 'idle', checkedAt: null });
    expect(feed.requests).toEqual([]);
  });

  it('is off, asking nothing, when the preference says so', async () => {
    feed.yml = latestYml('1.4.0');
    const { controller } = controlled(base, { enabled: () => false });
    await expect(controller.checkNow()).resolves.toEqual({
      state: 'off',
      reason: 'turned off in Settings',
    });
    expect(feed.requests).toEqual([]);
  });
});

describe('the update schedule', () => {
  it('checks 30 s after start and every 6 hours, and stops when turned off', async () => {
    const clock = new ManualClock();
    let enabled = true;
    const checks: number[] = [];
    const updater = {
      autoDownload: false,
      autoInstallOnAppQuit: false,
      allowDowngrade: true,
      checkForUpdates: async () => {
        checks.push(clock.now());
        return { isUpdateAvailable: false, updateInfo: { version: installed } };
      },
      quitAndInstall: () => {},
      on: () => undefined,
    };
    const controller = createUpdateController({
      updater,
      enabled: () => enabled,
      isOnline: () => true,
      clock,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      onChange: () => {},
    });
    // Downloads in the background, installs on quit, never downgrades.
    expect(updater).toMatchObject({
      autoDownload: true,
      autoInstallOnAppQuit: true,
      allowDowngrade: false,
    });
    const start = clock.now();
    controller.start();
    clock.advance(29_999);
    expect(checks).toEqual([]);
    clock.advance(1);
    await vi.waitFor(() => expect(checks).toEqual([start + 30_000]));
    // The next one is scheduled once the first has settled.
    await vi.waitFor(() => expect(clock.pending).toEqual([6 * 3600_000]));
    clock.advance(6 * 3600_000);
    await vi.waitFor(() => expect(checks).toHaveLength(2));
    enabled = false;
    controller.preferenceChanged();
    expect(controller.status()).toEqual({ state: 'off', reason: 'turned off in Settings' });
    expect(clock.pending).toEqual([]);
  });

  it('says why a build that does not update itself is off', () => {
    const controller = createUpdateController({
      offReason: 'updates come from your package manager',
      enabled: () => true,
      isOnline: () => true,
      clock: new ManualClock(),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      onChange: () => {},
    });
    controller.start();
    expect(controller.status()).toEqual({
      state: 'off',
      reason: 'updates come from your package manager',
    });
  });
});
