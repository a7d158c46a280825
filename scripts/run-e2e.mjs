// Runs the desktop end-to-end suite (vitest.e2e.config.ts) where it can run: it needs the
// Electron binary, which an install with ELECTRON_SKIP_BINARY_DOWNLOAD=1 lacks, and a display.
// Without the binary it says so in one line and exits 0 with no test count, so a run that
// tested nothing is never reported as passed. Run by `npm run test:e2e`, after the build.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

if (!findElectronBinary()) {
  console.log(
    'e2e: desktop smoke test not run: the Electron binary is not installed ' +
      '(installed with ELECTRON_SKIP_BINARY_DOWNLOAD?); reinstall with `npm ci` without it',
  );
  process.exit(0);
}
if (!existsSync(path.join(root, 'dist', 'main', 'index.js'))) {
  console.error('e2e: dist/main/index.js is missing: run `npm run test:e2e`, which builds first');
  process.exit(1);
}

const vitest = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
let command = [process.execPath, vitest, 'run', '--config', 'vitest.e2e.config.ts'];
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  if (!onPath('xvfb-run')) {
    console.error(
      'e2e: desktop smoke test not run: it needs a display (DISPLAY and WAYLAND_DISPLAY are ' +
        'unset) or xvfb-run (Debian: apt install xvfb)',
    );
    process.exit(1);
  }
  // A screen larger than the settings window, in full colour, for a faithful screenshot.
  command = ['xvfb-run', '-a', '--server-args=-screen 0 1280x1024x24', ...command];
}

const [program, ...args] = command;
const child = spawn(program, args, { cwd: root, stdio: 'inherit' });
child.on('error', (error) => {
  console.error(`e2e: cannot start ${program}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code) => process.exit(code ?? 1));

function onPath(name) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return dirs.some((dir) => existsSync(path.join(dir, name)));
}
