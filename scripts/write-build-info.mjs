// Writes dist/main/electron/build-info.js: the OAuth2 client ids (and Google's desktop
// client secret, which Google does not treat as secret) a packager gives at build time
// through TIDINGS_GOOGLE_CLIENT_ID, TIDINGS_GOOGLE_CLIENT_SECRET and
// TIDINGS_MICROSOFT_CLIENT_ID. Unset, the build carries none. Also dist/main/version.js:
// package.json's version and the commit (TIDINGS_COMMIT, else `git rev-parse`, else
// "unknown"). Run by `npm run build`, after tsc has emitted the placeholders
// app/main/electron/build-info.ts and app/main/version.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
// Another output file may be named (the test writes one to a temporary directory).
const file = process.argv[2] ?? path.join(root, 'dist', 'main', 'electron', 'build-info.js');
const env = process.env;
const google = env.TIDINGS_GOOGLE_CLIENT_ID?.trim();
const googleSecret = env.TIDINGS_GOOGLE_CLIENT_SECRET?.trim();
const microsoft = env.TIDINGS_MICROSOFT_CLIENT_ID?.trim();

const clients = {
  ...(google
    ? { google: { clientId: google, ...(googleSecret ? { clientSecret: googleSecret } : {}) } }
    : {}),
  ...(microsoft ? { microsoft: { clientId: microsoft } } : {}),
};
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(
  file,
  '// Written by scripts/write-build-info.mjs at build time.\n' +
    `export const builtInClients = ${JSON.stringify(clients, null, 2)};\n`,
);
console.log(`build-info: OAuth2 clients built in: ${Object.keys(clients).join(', ') || 'none'}`);

// The version file is written only with the default output (the test names another file).
if (process.argv[2] === undefined) {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const git = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], {
    cwd: root,
    encoding: 'utf8',
  });
  const fromGit = git.status === 0 ? git.stdout.trim() : '';
  const commit = env.TIDINGS_COMMIT?.trim() || fromGit || 'unknown';
  writeFileSync(
    path.join(root, 'dist', 'main', 'version.js'),
    '// Written by scripts/write-build-info.mjs at build time.\n' +
      `export const buildVersion = ${JSON.stringify({ version, commit })};\n`,
  );
  console.log(`build-info: version ${version}, commit ${commit}`);
}
