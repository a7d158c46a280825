/**
 * Whether this build updates itself, and electron-updater's updater when it does: a packaged
 * Windows (NSIS) or macOS (zip) build, or a Linux AppImage. A deb or rpm install is updated
 * by the system's package manager (electron-builder leaves `resources/package-type` saying
 * which); a development checkout never updates.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../engine/index.js';
import type { UpdaterPort } from './update-controller.js';

/** What the running build is, as far as updates go. */
export interface BuildKind {
  isPackaged: boolean;
  platform: NodeJS.Platform;
  /** The AppImage's own path, when run from one. */
  appImage: string | undefined;
  /** electron-builder's `resources/package-type` ("deb", "rpm"), if present. */
  packageType: string | undefined;
}

/** Why this build does not update itself, or undefined when it does. */
export function whyNoUpdates(build: BuildKind): string | undefined {
  if (!build.isPackaged) return 'a development build: no updates';
  if (build.platform !== 'linux' || build.appImage) return undefined;
  if (build.packageType === 'deb' || build.packageType === 'rpm') {
    return 'updates come from your package manager';
  }
  return 'only the AppImage updates itself on Linux';
}

/** Reads electron-builder's package-type file beside app.asar, if any. */
export function readPackageType(resourcesPath: string | undefined): string | undefined {
  if (!resourcesPath) return undefined;
  try {
    return readFileSync(path.join(resourcesPath, 'package-type'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** electron-updater's updater for this build, with our logger, or why there is none. */
export async function loadUpdater(
  build: BuildKind,
  logger: Logger,
): Promise<{ updater?: UpdaterPort; offReason?: string }> {
  const offReason = whyNoUpdates(build);
  if (offReason) return { offReason };
  // Loaded only here: electron-updater reaches for Electron's net module when it runs.
  const { default: electronUpdater } = await import('electron-updater');
  const { autoUpdater } = electronUpdater;
  autoUpdater.logger = {
    info: (message?: unknown) => logger.debug(`updater: ${String(message)}`),
    warn: (message?: unknown) => logger.info(`updater: ${String(message)}`),
    error: (message?: unknown) => logger.warn(`updater: ${String(message)}`),
    debug: (message: string) => logger.debug(`updater: ${message}`),
  };
  return { updater: autoUpdater };
}
