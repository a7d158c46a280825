/**
 * Tidings' icons, drawn in code: the envelope art and its rasterizer and PNG writer (shared by
 * scripts/make-icons.ts and the app), and the tray icon with a count, rendered at run time.
 */
export { encodePng, rasterize, setPixel, type Pixels, type Rgba, type Shader } from './raster.js';
export { colourIcon, templateIcon, type Badge } from './envelope-art.js';
export { glyphScaleFor, textWidth, WIDEST_COUNT } from './count-glyphs.js';
export {
  countLabel,
  layoutBadge,
  MAX_SHOWN_COUNT,
  renderCountIcon,
  type BadgeLayout,
  type IconStyle,
} from './tray-icon.js';
