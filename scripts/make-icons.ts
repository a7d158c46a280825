/**
 * Draws the tray and app icons as PNGs (no image tools needed) with the same code the app
 * draws its counted tray icons with (app/main/icons): an envelope, plus a blue dot for unread
 * mail or a red one for a problem; black-and-alpha "Template" images for macOS.
 *
 *   npx tsx scripts/make-icons.ts   (writes assets/)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  colourIcon,
  encodePng,
  rasterize,
  templateIcon,
  type Shader,
} from '../app/main/icons/index.js';

const render = (size: number, shade: Shader) => encodePng(rasterize(size, shade));

const out = path.join(import.meta.dirname, '..', 'assets');
mkdirSync(path.join(out, 'tray'), { recursive: true });
for (const badge of ['none', 'unread', 'problem'] as const) {
  const name = badge === 'none' ? 'quiet' : badge;
  for (const [suffix, size] of [
    ['', 16],
    ['@2x', 32],
  ] as const) {
    writeFileSync(path.join(out, 'tray', `${name}${suffix}.png`), render(size, colourIcon(badge)));
    writeFileSync(
      path.join(out, 'tray', `${name}Template${suffix}.png`),
      render(size, templateIcon(badge)),
    );
  }
}
writeFileSync(path.join(out, 'icon.png'), render(512, colourIcon('unread')));
// The Linux packages' icon set: one PNG per hicolor size, named as electron-builder wants.
mkdirSync(path.join(out, 'icons'), { recursive: true });
for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
  writeFileSync(path.join(out, 'icons', `${size}x${size}.png`), render(size, colourIcon('unread')));
}
console.log(`icons written to ${out}`);
