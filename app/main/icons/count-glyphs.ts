/**
 * The digits (and "+") of the tray's count, drawn pixel by pixel rather than from a font: no
 * system font is asked, so the icon is the same on every machine, and each stroke falls on
 * whole pixels at every size. Two designs: 3×5 for the smallest icons, 5×7 where there is
 * room; each is scaled by whole numbers only (see `glyphScaleFor`).
 */

/** A glyph set: each character as rows of '#' (ink) and '.' (clear). */
export interface GlyphSet {
  width: number;
  height: number;
  glyphs: Readonly<Record<string, readonly string[]>>;
}

// "1" has a flag and a foot, "7" a bent stem: the two must never be mistaken at 16 px.
const small: GlyphSet = {
  width: 3,
  height: 5,
  glyphs: {
    '0': ['###', '#.#', '#.#', '#.#', '###'],
    '1': ['.#.', '##.', '.#.', '.#.', '###'],
    '2': ['###', '..#', '###', '#..', '###'],
    '3': ['###', '..#', '.##', '..#', '###'],
    '4': ['#.#', '#.#', '###', '..#', '..#'],
    '5': ['###', '#..', '###', '..#', '###'],
    '6': ['###', '#..', '###', '#.#', '###'],
    '7': ['###', '..#', '..#', '.#.', '.#.'],
    '8': ['###', '#.#', '###', '#.#', '###'],
    '9': ['###', '#.#', '###', '..#', '###'],
    '+': ['...', '.#.', '###', '.#.', '...'],
  },
};

const large: GlyphSet = {
  width: 5,
  height: 7,
  glyphs: {
    '0': ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
    '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
    '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
    '3': ['#####', '...#.', '..#..', '...#.', '....#', '#...#', '.###.'],
    '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
    '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
    '6': ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
    '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
    '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
    '9': ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
    '+': ['.....', '..#..', '..#..', '#####', '..#..', '..#..', '.....'],
  },
};

/** A glyph set at a whole-number scale. */
export interface ScaledGlyphs {
  set: GlyphSet;
  scale: number;
}

/** The widest text the tray draws. */
export const WIDEST_COUNT = '99+';

/**
 * The glyphs for an icon of `size` px: the tallest whose digits stay within about a third of
 * the icon (a badge, not a banner) and whose "99+" fits across it with `padding` each side.
 * 16 px gets 3×5, 24 px 5×7, 32 px 3×5 doubled, 48 px 3×5 tripled, 64 px 5×7 tripled.
 */
export function glyphScaleFor(size: number, padding: number): ScaledGlyphs {
  let best: ScaledGlyphs = { set: small, scale: 1 };
  for (const set of [small, large]) {
    for (let scale = 1; set.height * scale <= size * 0.34; scale++) {
      const fits = textWidth(WIDEST_COUNT, { set, scale }) + 2 * padding <= size;
      const taller = set.height * scale > best.set.height * best.scale;
      if (fits && taller) best = { set, scale };
    }
  }
  return best;
}

/** The width in pixels of `text`, one scaled pixel between characters. */
export function textWidth(text: string, { set, scale }: ScaledGlyphs): number {
  return text.length === 0 ? 0 : (text.length * (set.width + 1) - 1) * scale;
}

/** Calls `ink(x, y)` for every pixel of `text` drawn with its top-left corner at (left, top). */
export function drawText(
  text: string,
  { set, scale }: ScaledGlyphs,
  left: number,
  top: number,
  ink: (x: number, y: number) => void,
): void {
  [...text].forEach((char, index) => {
    const rows = set.glyphs[char];
    if (!rows) throw new Error(`no glyph for "${char}"`);
    const x0 = left + index * (set.width + 1) * scale;
    rows.forEach((row, gy) => {
      [...row].forEach((cell, gx) => {
        if (cell !== '#') return;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) ink(x0 + gx * scale + dx, top + gy * scale + dy);
        }
      });
    });
  });
}
