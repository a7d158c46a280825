/**
 * The counted tray icon as images: each PNG decoded with pngjs and checked pixel by pixel at
 * 16, 24 and 32 px and at twice those (Retina / 200 %). The contact sheets in
 * test/icons/screenshots/ were reviewed and are kept in the repository: the drawing is
 * deterministic, so each run draws them again (into test-results/icons/) and a changed pixel
 * fails; a change meant is reviewed by copying the new sheets over the kept ones.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  colourIcon,
  countLabel,
  encodePng,
  rasterize,
  renderCountIcon,
  templateIcon,
  type IconStyle,
} from '../../app/main/icons/index.js';
import {
  boundsOf,
  contactSheet,
  decode,
  maskOf,
  pixel,
  type Box,
  type Decoded,
} from '../support/icon-pixels.js';

const SIZES = [16, 24, 32, 48, 64];
// The contact sheets as reviewed (committed), and where each run writes its own.
const screenshots = path.join(import.meta.dirname, 'screenshots');
const results = path.join(import.meta.dirname, '..', '..', 'test-results', 'icons');

type Rgba = [number, number, number, number];
const same = (a: Rgba, b: readonly number[]) => a.every((v, i) => v === b[i]);
const BLUE = [47, 128, 237, 255];
const RED = [229, 72, 77, 255];
const WHITE = [255, 255, 255, 255];
const OUTLINE = [40, 44, 52, 255];

const draw = (size: number, label: string, badge: 'unread' | 'problem', style: IconStyle) =>
  decode(renderCountIcon(size, label, badge, style));

/** The badge (its fill colour's bounds) and the digits (white) of a colour icon. */
function colourParts(image: Decoded, fill: readonly number[]): { badge: Box; ink: string[] } {
  const badge = boundsOf(image, (rgba) => same(rgba, fill));
  if (!badge) throw new Error('no badge');
  return { badge, ink: maskOf(image, (rgba) => same(rgba, WHITE), badge) };
}

describe('the counted tray icon', () => {
  it('says "1" … "99", then "99+"; nothing for no mail', () => {
    expect(countLabel(0)).toBeNull();
    expect(countLabel(-3)).toBeNull();
    expect(countLabel(1)).toBe('1');
    expect(countLabel(99)).toBe('99');
    expect(countLabel(100)).toBe('99+');
    expect(countLabel(123_456)).toBe('99+');
  });

  it('is the size asked for, and the same bytes every time', () => {
    for (const size of SIZES) {
      const png = renderCountIcon(size, '42', 'unread', 'colour');
      expect(decode(png)).toMatchObject({ width: size, height: size });
      expect(renderCountIcon(size, '42', 'unread', 'colour').equals(png)).toBe(true);
    }
  });

  it('draws 16 px digits on whole pixels, "1" with a foot and "7" with a bent stem', () => {
    expect(colourParts(draw(16, '1', 'unread', 'colour'), BLUE).ink).toEqual([
      '.#.',
      '##.',
      '.#.',
      '.#.',
      '###',
    ]);
    expect(colourParts(draw(16, '7', 'unread', 'colour'), BLUE).ink).toEqual([
      '###',
      '..#',
      '..#',
      '.#.',
      '.#.',
    ]);
    expect(colourParts(draw(16, '99+', 'unread', 'colour'), BLUE).ink).toEqual([
      '###.###....',
      '#.#.#.#..#.',
      '###.###.###',
      '..#...#..#.',
      '###.###....',
    ]);
  });

  it('draws every count distinctly at every size, centred in a badge in the bottom-right corner', () => {
    const labels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '42', '99+'];
    for (const size of SIZES) {
      const inks = new Set<string>();
      for (const label of labels) {
        const image = draw(size, label, 'unread', 'colour');
        const { badge, ink } = colourParts(image, BLUE);
        expect(ink.length, `${label} at ${size} px`).toBeGreaterThanOrEqual(5);
        inks.add(ink.join('\n'));
        expect(badge.right).toBe(size);
        expect(badge.bottom).toBe(size);
        // Whole pixels: the digits are pure white, and the badge fill around them pure blue.
        const text = boundsOf(image, (rgba, x, y) => same(rgba, WHITE) && y >= badge.top);
        if (!text) throw new Error(`no text for ${label} at ${size} px`);
        const [left, right] = [text.left - badge.left, badge.right - text.right];
        const [top, bottom] = [text.top - badge.top, badge.bottom - text.bottom];
        expect(
          Math.abs(left - right),
          `${label} at ${size} px: ${left} | ${right}`,
        ).toBeLessThanOrEqual(1);
        expect(
          Math.abs(top - bottom),
          `${label} at ${size} px: ${top} | ${bottom}`,
        ).toBeLessThanOrEqual(1);
        expect(Math.min(left, right, top, bottom)).toBeGreaterThanOrEqual(1);
      }
      expect(inks.size, `${size} px`).toBe(labels.length);
    }
  });

  it('grows its digits with the icon, keeping them about a third of its height', () => {
    const heights = SIZES.map(
      (size) => colourParts(draw(size, '8', 'unread', 'colour'), BLUE).ink.length,
    );
    expect(heights).toEqual([5, 7, 10, 15, 20]);
  });

  it('keeps the envelope, with a clear margin between it and the badge', () => {
    for (const size of SIZES) {
      const image = draw(size, '99+', 'unread', 'colour');
      const { badge } = colourParts(image, BLUE);
      const text = boundsOf(image, (rgba) => same(rgba, WHITE));
      if (!text) throw new Error('no text');
      // The envelope's dark outline is still there above the badge.
      const outline = boundsOf(image, (rgba) => same(rgba, OUTLINE));
      expect(outline?.top).toBeLessThan(badge.top);
      // Beside the text, the row above the badge and the column left of it are clear.
      for (let x = text.left; x < text.right; x++) {
        expect(pixel(image, x, badge.top - 1)[3], `${size} px, x ${x}`).toBe(0);
      }
      for (let y = text.top; y < text.bottom; y++) {
        expect(pixel(image, badge.left - 1, y)[3], `${size} px, y ${y}`).toBe(0);
      }
    }
  });

  it('tells a problem apart: a red badge in colour, an outlined one in a template', () => {
    for (const size of SIZES) {
      const problem = draw(size, '42', 'problem', 'colour');
      expect(boundsOf(problem, (rgba) => same(rgba, BLUE))).toBeNull();
      expect(colourParts(problem, RED).ink).toEqual(
        colourParts(draw(size, '42', 'unread', 'colour'), BLUE).ink,
      );
      const unread = draw(size, '42', 'unread', 'template');
      const outlined = draw(size, '42', 'problem', 'template');
      // The unread badge is solid but for its cut-out digits; the problem badge is clear
      // inside its outline but for its black digits.
      const centreRow = size - 2 - Math.floor(size / 16);
      const opaque = (image: Decoded) =>
        Array.from({ length: size }, (_, x) => pixel(image, x, centreRow)[3] === 255).filter(
          Boolean,
        ).length;
      expect(opaque(unread)).toBeGreaterThan(opaque(outlined));
      expect(maskOf(outlined, ([, , , a]) => a === 0, boxInside(outlined))).not.toEqual([]);
    }
  });

  it('makes templates of black and alpha only, the digits cut out of a filled badge', () => {
    for (const size of SIZES) {
      for (const label of ['1', '7', '42', '99+']) {
        for (const badge of ['unread', 'problem'] as const) {
          const { data } = draw(size, label, badge, 'template');
          const coloured = data.filter((value, i) => i % 4 !== 3 && value !== 0);
          expect(coloured.length, `${label} ${badge} at ${size} px`).toBe(0);
        }
        // The cut-out digits are the colour icon's white digits, pixel for pixel.
        const colour = draw(size, label, 'unread', 'colour');
        const text = boundsOf(colour, (rgba) => same(rgba, WHITE));
        if (!text) throw new Error('no text');
        const template = draw(size, label, 'unread', 'template');
        const cutOut = maskOf(template, ([, , , a]) => a === 0, text);
        expect(cutOut).toEqual(colourParts(colour, BLUE).ink);
        // Around the digits, the badge is solid black.
        expect(maskOf(template, ([, , , a]) => a === 255, text).join('')).toMatch(/#/);
      }
    }
  });

  it('draws every variant as in the reviewed contact sheets', () => {
    mkdirSync(results, { recursive: true });
    const labels = ['1', '7', '42', '99+'];
    const variants = [
      { badge: 'unread', style: 'colour' },
      { badge: 'problem', style: 'colour' },
      { badge: 'unread', style: 'template' },
      { badge: 'problem', style: 'template' },
    ] as const;
    for (const size of SIZES) {
      const images = [
        { png: encodePng(rasterize(size, colourIcon('unread'))), template: false },
        { png: encodePng(rasterize(size, templateIcon('unread'))), template: true },
        ...variants.flatMap(({ badge, style }) =>
          labels.map((label) => ({
            png: renderCountIcon(size, label, badge, style),
            template: style === 'template',
          })),
        ),
      ];
      const actual = contactSheet(images, size, 1);
      const enlarged = contactSheet(images, size, Math.max(2, Math.round(128 / size)));
      // Written to test-results/ (not the checkout); the committed sheets are the ones
      // reviewed, and a drawing that changes by one pixel no longer matches them.
      for (const [name, sheet] of [
        [`tray-count-${size}px.png`, actual],
        [`tray-count-${size}px-enlarged.png`, enlarged],
      ] as const) {
        writeFileSync(path.join(results, name), sheet);
        expect(
          decode(sheet).data.equals(decode(readFileSync(path.join(screenshots, name))).data),
          `${name} differs from the reviewed sheet (see test-results/icons/)`,
        ).toBe(true);
      }
      expect(decode(actual).width).toBe(images.length * (size + 8));
    }
  });
});

/** One pixel in from each side of `box`. */
function inner(box: Box): Box {
  return { left: box.left + 1, top: box.top + 1, right: box.right - 1, bottom: box.bottom - 1 };
}

/** The inside of an outlined badge: the opaque bounds in the bottom-right quarter, less its edge. */
function boxInside(image: Decoded): Box {
  const half = image.width / 2;
  const box = boundsOf(image, ([, , , a], x, y) => a === 255 && x >= half && y >= half);
  if (!box) throw new Error('no badge');
  return inner(box);
}
