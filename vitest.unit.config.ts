import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:unit`: the suites that need no Linux server or tool, for the Windows and
 * macOS CI jobs. A test file that starts Dovecot, Cyrus or Courier, a D-Bus session, network
 * namespaces, `tidings watch` against a server, an identity provider or Chromium through
 * these helpers, makes certificates with openssl, or runs systemd-analyze, dbus-daemon or a
 * stand-in notify-send script belongs to `npm test` only.
 */
const SERVER_HELPERS =
  /from '\.\.\/support\/(dovecot|dovecot-suite|imap-servers|cyrus|courier|notification-bus|netns|run-cli|watch-process|oauth-provider|provider-front|settings-page|certificates)\.js'|from '\.\/settings-page\.js'|playwright-core|systemd-analyze|'notify-send'|'dbus-daemon'/;

function serverSuites(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return serverSuites(file);
    if (!entry.name.endsWith('.test.ts')) return [];
    return SERVER_HELPERS.test(readFileSync(file, 'utf8')) ? [file.split(path.sep).join('/')] : [];
  });
}

export default mergeConfig(
  base,
  defineConfig({ test: { exclude: ['node_modules/**', ...serverSuites('test')] } }),
);
