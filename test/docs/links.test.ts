/**
 * The README is the front door and docs/ holds the rest: every relative link in them (and in
 * test/README.md and bench/RESULTS.md) leads to a file that exists, and to a heading that
 * exists when it names one (GitHub's anchors); every page of docs/ is reachable from the README.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');
const docs = readdirSync(path.join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const pages = ['README.md', ...docs, 'test/README.md', 'bench/RESULTS.md'];

/** The page's text without its fenced code blocks (a link in code is not a link). */
function prose(file: string): string {
  return readFileSync(path.join(root, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- ]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const headings = [...prose(file).matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1] ?? '');
  return new Set(headings.map(anchorOf));
}

function linksOf(file: string): string[] {
  return [...prose(file).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^(https?:|mailto:)/.test(target));
}

describe('the documentation', () => {
  it('makes GitHub anchors as GitHub does', () => {
    expect(anchorOf('Storms, quiet hours and rules')).toBe('storms-quiet-hours-and-rules');
    expect(anchorOf('What "exactly once" means')).toBe('what-exactly-once-means');
    expect(anchorOf('`tidings watch`')).toBe('tidings-watch');
  });

  it.each(pages)('%s links only to files and headings that exist', (page) => {
    for (const link of linksOf(page)) {
      const [target = '', anchor] = link.split('#');
      const file =
        target === ''
          ? page
          : path.posix.normalize(path.posix.join(path.posix.dirname(page), target));
      expect(existsSync(path.join(root, file)), `${page}: ${link}`).toBe(true);
      if (anchor && file.endsWith('.md')) {
        expect([...anchorsOf(file)], `${page}: ${link}`).toContain(anchor);
      }
    }
  });

  it('reaches every page of docs/ from the README', () => {
    const linked = new Set(linksOf('README.md').map((link) => link.split('#')[0]));
    for (const page of docs) expect([...linked], page).toContain(page);
  });
});
