#!/usr/bin/env node
// Launcher for the CLI, bundled by `npm run build` (scripts/bundle-cli.mjs) into dist/cli/;
// `npm ci` builds it through the `prepare` script.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tidings: not built yet; run `npm run build` in the checkout\n');
  process.exit(1);
}
const { main } = await import(entry.href);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`tidings: unexpected failure: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
