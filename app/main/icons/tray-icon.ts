/**
 * The tray icon with a count in its corner ("3", "42", "99+"), rendered in the main process
 * when the count changes: the envelope of envelope-art.ts, cut away around a badge that holds
 * the count in count-glyphs.ts' pixel digits. Colour icons get a blue badge (red for a
 * problem) with white digits; macOS templates stay black and alpha: a filled badge with the
 * digits cut out for unread mail, an outlined badge with black digits for a problem.
 */
import { drawText, glyphScaleFor, textWidth, type ScaledGlyphs } from './count-glyphs.js';
import {
  BLACK,
  BLUE,
  CLEAR,
  colourEnvelope,
  RED,
  templateEnvelope,
  WHITE,
  type Badge,
} from './envelope-art.js';
import { encodePng, rasterize, setPixel, type Rgba } from './raster.js';

/** Colour (Windows, Linux) or macOS template (black and alpha only). */
export type IconStyle = 'colour' | 'template';

/** The most the tray counts in digits; beyond it says "99+". */
export const MAX_SHOWN_COUNT = 99;

/** The text drawn for `count` messages: null for none, "1" … "99", then "99+". */
export function countLabel(count: number): string | null {
  if (!Number.isFinite(count) || count < 1) return null;
  return count > MAX_SHOWN_COUNT ? `${MAX_SHOWN_COUNT}+` : String(Math.floor(count));
}

/** Where the badge and its text sit in an icon of one size, in whole pixels. */
export interface BadgeLayout {
  /** The badge's box: left, top, right and bottom edges (right and bottom exclusive). */
  box: { left: number; top: number; right: number; bottom: number };
  /** The text's top-left pixel, and its size. */
  text: { left: number; top: number; width: number; height: number };
  glyphs: ScaledGlyphs;
  /** The outline's width (a problem's template badge), and the clear margin around the badge. */
  stroke: number;
  radius: number;
}

/**
 * The badge for `label` in an icon of `size` px: in the bottom-right corner, as tall as the
 * digits plus padding, at least as wide as tall, the text centred (an odd spare pixel goes
 * right and down). A template problem's outlined badge has room for its outline inside.
 */
export function layoutBadge(
  size: number,
  label: string,
  badge: Exclude<Badge, 'none'>,
  style: IconStyle,
): BadgeLayout {
  const unit = size / 16;
  const stroke = Math.max(1, Math.floor(unit));
  const outlined = style === 'template' && badge === 'problem';
  const padding = outlined ? 2 * stroke : Math.max(1, Math.round(unit));
  // One glyph size per icon size, whatever the style: chosen for the roomiest badge.
  const glyphs = glyphScaleFor(size, 2 * stroke);
  const width = textWidth(label, glyphs);
  const height = glyphs.set.height * glyphs.scale;
  const boxHeight = height + 2 * padding;
  const boxWidth = Math.min(size, Math.max(boxHeight, width + 2 * padding));
  const box = { left: size - boxWidth, top: size - boxHeight, right: size, bottom: size };
  const text = {
    left: box.left + Math.ceil((boxWidth - width) / 2),
    top: box.top + Math.ceil((boxHeight - height) / 2),
    width,
    height,
  };
  return { box, text, glyphs, stroke, radius: boxHeight * 0.3 };
}

/** The icon of `size` px with `label` on a badge, as a PNG. */
export function renderCountIcon(
  size: number,
  label: string,
  badge: Exclude<Badge, 'none'>,
  style: IconStyle,
): Buffer {
  const layout = layoutBadge(size, label, badge, style);
  const envelopeShader = style === 'template' ? templateEnvelope : colourEnvelope;
  const fill: Rgba = style === 'template' ? BLACK : badge === 'problem' ? RED : BLUE;
  const outlined = style === 'template' && badge === 'problem';
  const pixels = rasterize(size, (x, y) => {
    const d = boxDistance(x * size, y * size, layout.box, layout.radius);
    if (d <= 0) return outlined && d < -layout.stroke ? null : fill;
    // A clear margin between the envelope and the badge's square box (not its rounded
    // corners, which would let a line come close to the text), so no line touches the count.
    return boxDistance(x * size, y * size, layout.box, 0) < layout.stroke
      ? null
      : envelopeShader(x, y);
  });
  // Digits on whole pixels: white on colour, cut out of a filled template, black in an outline.
  const ink: Rgba = style === 'colour' ? WHITE : outlined ? BLACK : CLEAR;
  drawText(label, layout.glyphs, layout.text.left, layout.text.top, (x, y) =>
    setPixel(pixels, x, y, ink),
  );
  return encodePng(pixels);
}

// Signed distance from (x, y) to `box` with corners of `radius`: negative inside.
function boxDistance(x: number, y: number, box: BadgeLayout['box'], radius: number): number {
  const cx = (box.left + box.right) / 2;
  const cy = (box.top + box.bottom) / 2;
  const qx = Math.abs(x - cx) - ((box.right - box.left) / 2 - radius);
  const qy = Math.abs(y - cy) - ((box.bottom - box.top) / 2 - radius);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - radius;
}
