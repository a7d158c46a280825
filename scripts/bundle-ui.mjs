// Bundles what tsc cannot emit as-is: the sandboxed preload must be one CommonJS file, and
// the renderer one browser script and one stylesheet (its parts' @imports inlined) beside its
// HTML and the app's icon. Run by `npm run build`.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.join(import.meta.dirname, '..');
const out = (...parts) => path.join(root, 'dist', ...parts);

await build({
  entryPoints: [path.join(root, 'app/preload/index.ts')],
  outfile: out('preload', 'index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});

await build({
  entryPoints: [path.join(root, 'app/renderer/main.ts')],
  outfile: out('renderer', 'main.js'),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  logLevel: 'warning',
});
await build({
  entryPoints: [path.join(root, 'app/renderer/styles.css')],
  outfile: out('renderer', 'styles.css'),
  bundle: true,
  target: 'chrome120',
  logLevel: 'warning',
});
mkdirSync(out('renderer'), { recursive: true });
copyFileSync(path.join(root, 'app/renderer/index.html'), out('renderer', 'index.html'));
copyFileSync(path.join(root, 'assets/icons/128x128.png'), out('renderer', 'icon.png'));
