// Bundles what tsc cannot emit as-is: the sandboxed preload must be one CommonJS file, and
// the renderer one browser script beside its HTML and CSS. Run by `npm run build`.
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
mkdirSync(out('renderer'), { recursive: true });
for (const file of ['index.html', 'styles.css']) {
  copyFileSync(path.join(root, 'app/renderer', file), out('renderer', file));
}
