/**
 * Draws the tray and app icons as PNGs (no image tools needed): an envelope, plus a blue dot
 * for unread mail or a red one for a problem. Colour icons have a dark outline around a light
 * body so they read on light and dark panels; macOS gets black-and-alpha "Template" images,
 * where the dot is filled for unread mail and a ring for a problem.
 *
 *   npx tsx scripts/make-icons.ts   (writes assets/)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];
type Shader = (x: number, y: number) => Rgba | null;

const OUTLINE: Rgba = [40, 44, 52, 255];
const BODY: Rgba = [246, 247, 249, 255];
const BLUE: Rgba = [47, 128, 237, 255];
const RED: Rgba = [229, 72, 77, 255];
const BLACK: Rgba = [0, 0, 0, 255];

/** Renders `shade` (unit coordinates 0..1) at `size` px with 4×4 supersampling. */
function render(size: number, shade: Shader): Buffer {
  const rows: Buffer[] = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px++) {
      const acc: [number, number, number, number] = [0, 0, 0, 0];
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const c = shade((px + (sx + 0.5) / 4) / size, (py + (sy + 0.5) / 4) / size);
          if (!c) continue;
          const a = c[3] / 255;
          acc[0] += c[0] * a;
          acc[1] += c[1] * a;
          acc[2] += c[2] * a;
          acc[3] += a;
        }
      }
      const alpha = acc[3] / 16;
      const o = 1 + px * 4;
      for (const i of [0, 1, 2] as const) row[o + i] = acc[3] ? Math.round(acc[i] / acc[3]) : 0;
      row[o + 3] = Math.round(alpha * 255);
    }
    rows.push(row);
  }
  return png(size, Buffer.concat(rows));
}

function png(size: number, raw: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function segmentDistance(
  x: number,
  y: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): number {
  const t = Math.max(
    0,
    Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)),
  );
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
}

/** The envelope: a box from (0.08,0.22) to (0.92,0.78) with a V-shaped flap. */
function envelope(x: number, y: number, stroke: number): 'edge' | 'inside' | null {
  const [l, t, r, b] = [0.08, 0.22, 0.92, 0.78];
  const inside = x >= l && x <= r && y >= t && y <= b;
  const nearBox =
    Math.min(Math.abs(x - l), Math.abs(x - r), Math.abs(y - t), Math.abs(y - b)) < stroke;
  const flap = Math.min(
    segmentDistance(x, y, l, t, 0.5, 0.52),
    segmentDistance(x, y, r, t, 0.5, 0.52),
  );
  if (inside && (nearBox || flap < stroke / 2)) return 'edge';
  return inside ? 'inside' : null;
}

type Badge = 'none' | 'unread' | 'problem';

function colourIcon(badge: Badge): Shader {
  return (x, y) => {
    const d = Math.hypot(x - 0.8, y - 0.76);
    if (badge !== 'none' && d < 0.2) return d > 0.15 ? OUTLINE : badge === 'unread' ? BLUE : RED;
    const part = envelope(x, y, 0.09);
    return part === 'edge' ? OUTLINE : part === 'inside' ? BODY : null;
  };
}

function templateIcon(badge: Badge): Shader {
  return (x, y) => {
    const d = Math.hypot(x - 0.8, y - 0.76);
    if (badge !== 'none' && d < 0.22) {
      if (d > 0.17) return null; // a clear gap between the envelope and the badge
      return badge === 'unread' || d > 0.1 ? BLACK : null;
    }
    return envelope(x, y, 0.09) === 'edge' ? BLACK : null;
  };
}

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
