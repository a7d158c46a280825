/**
 * `tidings watch` runs from a CommonJS bundle through V8's code cache (cached-bundle.ts): the
 * cache is taken when it fits the source and this Node, and a bundle without one, or with one
 * that does not fit, runs all the same from its source.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCachedBundle, writeCodeCache } from '../../../app/main/cli/commands/cached-bundle.js';

const BUILT = fileURLToPath(new URL('../../../dist/cli/watch.cjs', import.meta.url));

interface Sample {
  join(a: string, b: string): string;
  where: string;
  later(): Promise<string>;
}

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a code-cached bundle', () => {
  it('runs from its cache when the cache fits, and from its source when it has none or one that does not', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tidings-bundle-'));
    const file = path.join(dir, 'sample.cjs');
    writeFileSync(
      file,
      [
        "'use strict';",
        "const path = require('node:path');",
        'exports.join = (a, b) => path.join(a, b);',
        'exports.where = __filename;',
        "exports.later = () => import('node:os').then((os) => typeof os.cpus);",
      ].join('\n'),
    );
    const plain = loadCachedBundle<Sample>(file);
    expect(plain?.cacheUsed).toBe(false);
    expect(plain?.exports.join('a', 'b')).toBe(path.join('a', 'b'));
    expect(plain?.exports.where).toBe(file);

    expect(writeCodeCache(file)).toBeGreaterThan(0);
    const cached = loadCachedBundle<Sample>(file);
    expect(cached?.cacheUsed).toBe(true);
    expect(cached?.exports.join('c', 'd')).toBe(path.join('c', 'd'));
    // import() from the bundle goes to Node's own loader (node-notifier is imported so).
    await expect(cached?.exports.later()).resolves.toBe('function');

    // A rebuilt bundle beside an old cache: V8 rejects the cache, the source runs.
    appendFileSync(file, '\nexports.rebuilt = true;\n');
    const rebuilt = loadCachedBundle<Sample & { rebuilt: boolean }>(file);
    expect(rebuilt?.cacheUsed).toBe(false);
    expect(rebuilt?.exports.rebuilt).toBe(true);

    expect(loadCachedBundle(path.join(dir, 'none.cjs'))).toBeUndefined();
  });

  it('is how the build ships watch: dist/cli/watch.cjs with a cache this Node takes', () => {
    const built = loadCachedBundle<{ runWatch: unknown; ConfigError: unknown }>(BUILT);
    expect(built?.cacheUsed).toBe(true);
    expect(typeof built?.exports.runWatch).toBe('function');
    expect(typeof built?.exports.ConfigError).toBe('function');
  });
});
