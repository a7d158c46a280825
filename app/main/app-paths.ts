/**
 * Where the desktop app finds its files, from the directory of the compiled main process
 * (dist/main, inside app.asar once packaged): the sandboxed preload bundle, the settings
 * window's page and the tray icons. One function, so a test can check these paths against the
 * built tree and the packaged archive rather than trusting them.
 */
import path from 'node:path';

/** The app's files, for a main process running from `mainDir`. */
export interface AppPaths {
  preload: string;
  html: string;
  assets: string;
}

/** The files the app loads, relative to the compiled main process's directory. */
export function appPaths(mainDir: string): AppPaths {
  return {
    preload: path.join(mainDir, '..', 'preload', 'index.cjs'),
    html: path.join(mainDir, '..', 'renderer', 'index.html'),
    assets: path.join(mainDir, '..', '..', 'assets'),
  };
}
