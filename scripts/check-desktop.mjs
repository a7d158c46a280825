// Runs before `npm start`: says in plain words why the desktop app cannot start, instead of
// Electron's "failed to install correctly" stack trace. The binary comes from Electron's
// install script, which today's npm runs only because package.json's allowScripts names it,
// which is skipped with ELECTRON_SKIP_BINARY_DOWNLOAD=1, and which needs Node.js 22.12+
// (Electron 41's own engines). Once installed, the binary brings its own Node.
import { findElectronBinary } from './electron-binary.mjs';

if (!findElectronBinary()) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const oldNode = major < 22 || (major === 22 && minor < 12);
  const lines = [
    'tidings: the Electron binary is not installed, so the desktop app cannot start.',
    oldNode
      ? `  Electron's installer needs Node.js 22.12 or later; this is ${process.versions.node}. ` +
        'Upgrade Node, then run `rm -rf node_modules && npm ci`.'
      : '  Run `rm -rf node_modules && npm ci` (without ELECTRON_SKIP_BINARY_DOWNLOAD).',
    '  Without a desktop, `npx tidings watch --config FILE` runs on Node.js 20.19+ (see README).',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(1);
}
