/**
 * Tidings' icon, as shaders for raster.ts: an envelope, plus a blue dot for unread mail or a
 * red one for a problem. Colour icons have a dark outline around a light body so they read on
 * light and dark panels; macOS gets black-and-alpha "Template" images, where the dot is filled
 * for unread mail and a ring for a problem.
 */
import { segmentDistance, type Rgba, type Shader } from './raster.js';

export const OUTLINE: Rgba = [40, 44, 52, 255];
export const BODY: Rgba = [246, 247, 249, 255];
export const BLUE: Rgba = [47, 128, 237, 255];
export const RED: Rgba = [229, 72, 77, 255];
export const BLACK: Rgba = [0, 0, 0, 255];
export const WHITE: Rgba = [255, 255, 255, 255];
export const CLEAR: Rgba = [0, 0, 0, 0];

/** What the icon's corner says: nothing, unread mail, or a problem. */
export type Badge = 'none' | 'unread' | 'problem';

/** The envelope's stroke, in units of the icon's size. */
const STROKE = 0.09;

/** The envelope: a box from (0.08,0.22) to (0.92,0.78) with a V-shaped flap. */
export function envelope(x: number, y: number, stroke = STROKE): 'edge' | 'inside' | null {
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

/** The colour envelope alone. */
export const colourEnvelope: Shader = (x, y) => {
  const part = envelope(x, y);
  return part === 'edge' ? OUTLINE : part === 'inside' ? BODY : null;
};

/** The template (black and alpha) envelope alone: its outline. */
export const templateEnvelope: Shader = (x, y) => (envelope(x, y) === 'edge' ? BLACK : null);

/** The colour icon with its dot. */
export function colourIcon(badge: Badge): Shader {
  return (x, y) => {
    const d = Math.hypot(x - 0.8, y - 0.76);
    if (badge !== 'none' && d < 0.2) return d > 0.15 ? OUTLINE : badge === 'unread' ? BLUE : RED;
    return colourEnvelope(x, y);
  };
}

/** The template icon with its dot: filled for unread mail, a ring for a problem. */
export function templateIcon(badge: Badge): Shader {
  return (x, y) => {
    const d = Math.hypot(x - 0.8, y - 0.76);
    if (badge !== 'none' && d < 0.22) {
      if (d > 0.17) return null; // a clear gap between the envelope and the badge
      return badge === 'unread' || d > 0.1 ? BLACK : null;
    }
    return templateEnvelope(x, y);
  };
}
