// Where `npm ci` put the Electron binary, if it did: node_modules/electron/path.txt names it
// under dist/. Neither exists after an install with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or with
// Electron's install script skipped. One test for every script that asks (npm start's check,
// npm test's pretest, the e2e runner, the demo).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** node_modules/electron of this checkout. */
export const electronDir = path.join(import.meta.dirname, '..', 'node_modules', 'electron');

/** The Electron binary in `dir`, or undefined when it is not installed. */
export function findElectronBinary(dir = electronDir, exists = existsSync) {
  const pointer = path.join(dir, 'path.txt');
  if (!exists(pointer)) return undefined;
  const binary = path.join(dir, 'dist', readFileSync(pointer, 'utf8').trim());
  return exists(binary) ? binary : undefined;
}
