// Writes dist/main/electron/build-info.js: the OAuth2 client ids (and Google's desktop
// client secret, which Google does not treat as secret) a packager gives at build time
// through TIDINGS_GOOGLE_CLIENT_ID, TIDINGS_GOOGLE_CLIENT_SECRET and
// TIDINGS_MICROSOFT_CLIENT_ID. Unset, the build carries none. Run by `npm run build`, after
// tsc has emitted the empty app/main/electron/build-info.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
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
