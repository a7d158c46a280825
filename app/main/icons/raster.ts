/**
 * The icons' drawing kit, shared by scripts/make-icons.ts (the PNGs in assets/) and the tray
 * (a count drawn at run time): a shader rasterized with 4×4 supersampling into straight RGBA,
 * and a PNG writer over node:zlib. Deterministic: the same shader gives the same bytes on
 * every machine, with no fonts or image libraries involved.
 */
import { crc32, deflateSync } from 'node:zlib';

/** A colour with straight (not premultiplied) alpha, each channel 0..255. */
export type Rgba = readonly [number, number, number, number];

/** The colour at unit coordinates (0..1 across the icon), or null where it is clear. */
export type Shader = (x: number, y: number) => Rgba | null;

/** A square picture: `size` × `size` pixels, 4 bytes each (straight RGBA), row by row. */
export interface Pixels {
  size: number;
  rgba: Buffer;
}

const SAMPLES = 4;

/** Renders `shade` at `size` px, each pixel the average of 4×4 samples. */
export function rasterize(size: number, shade: Shader): Pixels {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let coverage = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = shade((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size);
          if (!c) continue;
          const a = c[3] / 255;
          r += c[0] * a;
          g += c[1] * a;
          b += c[2] * a;
          coverage += a;
        }
      }
      const o = (py * size + px) * 4;
      // A clear pixel stays 0,0,0,0: template images must hold black and alpha only.
      if (coverage > 0) {
        rgba[o] = Math.round(r / coverage);
        rgba[o + 1] = Math.round(g / coverage);
        rgba[o + 2] = Math.round(b / coverage);
      }
      rgba[o + 3] = Math.round((coverage / SAMPLES ** 2) * 255);
    }
  }
  return { size, rgba };
}

/** Sets one pixel to `colour` (whole pixels only: what keeps small glyphs crisp). */
export function setPixel(pixels: Pixels, x: number, y: number, colour: Rgba): void {
  if (x < 0 || y < 0 || x >= pixels.size || y >= pixels.size) return;
  pixels.rgba.set(colour, (y * pixels.size + x) * 4);
}

/** Encodes `pixels` as an 8-bit RGBA PNG (no filtering, deflated by node:zlib). */
export function encodePng({ size, rgba }: Pixels): Buffer {
  const raw = Buffer.alloc(size * (1 + size * 4));
  for (let y = 0; y < size; y++) {
    // Each scanline starts with its filter type: 0, none.
    rgba.copy(raw, y * (1 + size * 4) + 1, y * size * 4, (y + 1) * size * 4);
  }
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

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The distance from (x, y) to the segment from (ax, ay) to (bx, by). */
export function segmentDistance(
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
