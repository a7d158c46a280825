/**
 * Reading the tray's PNGs back as pixels (pngjs, an independent decoder), and laying them out
 * as contact sheets for review: each icon over a light and a dark panel, templates drawn
 * black on the light one and white on the dark one, as macOS draws them.
 */
import { PNG } from 'pngjs';

/** A decoded image: straight RGBA, row by row. */
export interface Decoded {
  width: number;
  height: number;
  data: Buffer;
}

/** Decodes a PNG. */
export function decode(png: Buffer): Decoded {
  const { width, height, data } = PNG.sync.read(png);
  return { width, height, data };
}

/** The RGBA of pixel (x, y). */
export function pixel(image: Decoded, x: number, y: number): [number, number, number, number] {
  const o = (y * image.width + x) * 4;
  const [r = 0, g = 0, b = 0, a = 0] = image.data.subarray(o, o + 4);
  return [r, g, b, a];
}

/** A box in pixels: left and top inclusive, right and bottom exclusive. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The smallest box around the pixels for which `test` holds, or null when none does. */
export function boundsOf(
  image: Decoded,
  test: (rgba: [number, number, number, number], x: number, y: number) => boolean,
): Box | null {
  let box: Box | null = null;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (!test(pixel(image, x, y), x, y)) continue;
      box = box
        ? {
            left: Math.min(box.left, x),
            top: Math.min(box.top, y),
            right: Math.max(box.right, x + 1),
            bottom: Math.max(box.bottom, y + 1),
          }
        : { left: x, top: y, right: x + 1, bottom: y + 1 };
    }
  }
  return box;
}

/** The pixels for which `test` holds, cropped to their bounds, as rows of '#' and '.'. */
export function maskOf(
  image: Decoded,
  test: (rgba: [number, number, number, number], x: number, y: number) => boolean,
  within?: Box,
): string[] {
  const inside = (x: number, y: number) =>
    !within || (x >= within.left && x < within.right && y >= within.top && y < within.bottom);
  const hit = (rgba: [number, number, number, number], x: number, y: number) =>
    inside(x, y) && test(rgba, x, y);
  const box = boundsOf(image, hit);
  if (!box) return [];
  const rows: string[] = [];
  for (let y = box.top; y < box.bottom; y++) {
    let row = '';
    for (let x = box.left; x < box.right; x++) row += hit(pixel(image, x, y), x, y) ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

const LIGHT = 228;
const DARK = 44;
const MARGIN = 4;

/**
 * A contact sheet: one column per image, the top row over a light panel, the bottom over a
 * dark one, every pixel drawn as a `zoom` × `zoom` block.
 */
export function contactSheet(
  images: Array<{ png: Buffer; template: boolean }>,
  size: number,
  zoom: number,
): Buffer {
  const cell = (size + 2 * MARGIN) * zoom;
  const sheet = new PNG({ width: images.length * cell, height: 2 * cell });
  images.forEach(({ png, template }, column) => {
    const image = decode(png);
    for (const [row, panel] of [LIGHT, DARK].entries()) {
      for (let y = 0; y < cell; y++) {
        for (let x = 0; x < cell; x++) {
          const sx = Math.floor(x / zoom) - MARGIN;
          const sy = Math.floor(y / zoom) - MARGIN;
          const inImage = sx >= 0 && sy >= 0 && sx < size && sy < size;
          const [r, g, b, a] = inImage ? pixel(image, sx, sy) : [0, 0, 0, 0];
          // macOS draws a template in the menu bar's colour: black on light, white on dark.
          const shade = panel === DARK ? 255 : 0;
          const ink = template ? [shade, shade, shade] : [r, g, b];
          const o = ((row * cell + y) * sheet.width + column * cell + x) * 4;
          ink.forEach((value, c) => {
            sheet.data[o + c] = Math.round(value * (a / 255) + panel * (1 - a / 255));
          });
          sheet.data[o + 3] = 255;
        }
      }
    }
  });
  return PNG.sync.write(sheet);
}
