/**
 * The bundles take libmime with its GBK decoder looked up on first use (scripts/lazy-gbk.mjs),
 * not built as it loads: checked on the libmime installed here, run as it is bundled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CHARSET_MODULE, lazyGbk, lazyGbkPlugin } from '../../scripts/lazy-gbk.mjs';

const require = createRequire(import.meta.url);
// libmime's entry is dist/cjs/libmime.js; its exports map hides the files beside it.
const CJS = path.join(path.dirname(require.resolve('libmime')), 'charset.js');
const ESM = path.join(path.dirname(CJS), '..', 'esm', 'charset.js');

interface Charset {
  decode(buf: Buffer, charset: string): string;
  createDecodeStream(charset: string): NodeJS.ReadWriteStream;
}
interface Iconv {
  getCodec(name: string): unknown;
}

/** Runs libmime's CommonJS charset module from `source`, counting which codecs it asks for. */
function load(source: string): { charset: Charset; asked: string[]; stop(): void } {
  const requireNear = createRequire(CJS);
  const iconv = requireNear('iconv-lite') as Iconv;
  const getCodec = iconv.getCodec;
  const asked: string[] = [];
  iconv.getCodec = function (this: Iconv, name: string) {
    asked.push(String(name).toLowerCase());
    return getCodec.call(this, name);
  };
  const module = { exports: {} as Charset };
  const wrapper = vm.runInThisContext(`(function (exports, require, module) {${source}\n})`, {
    filename: CJS,
  }) as (exports: Charset, require: NodeJS.Require, module: { exports: Charset }) => void;
  wrapper(module.exports, requireNear, module);
  return { charset: module.exports, asked, stop: () => (iconv.getCodec = getCodec) };
}

async function decodeStream(charset: Charset, name: string, chunks: Buffer[]): Promise<string> {
  const stream = charset.createDecodeStream(name);
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await ended;
  return Buffer.concat(out).toString('utf8');
}

describe("libmime's GBK decoder, as the bundles take it", () => {
  it('is what both of its builds are rewritten to, and the bundler plugin picks out exactly those', () => {
    for (const file of [CJS, ESM]) {
      const lazy = lazyGbk(readFileSync(file, 'utf8'), file);
      expect(lazy).not.toMatch(/DBCS_DECODER = [\w$.]+\.getCodec\('gbk'\)/);
      expect(lazy).toContain('(DBCS_DECODER ??= ');
      expect(lazy).toContain('codec.decoder === dbcsDecoder()');
      expect(CHARSET_MODULE.test(file)).toBe(true);
    }
    expect(CHARSET_MODULE.test(require.resolve('libmime'))).toBe(false);
  });

  it('is not built when libmime loads (as it is without the rewrite), and decodes GBK and GB18030 the same once asked', async () => {
    const original = load(readFileSync(CJS, 'utf8'));
    original.stop();
    expect(original.asked).toContain('gbk');

    const lazy = load(lazyGbk(readFileSync(CJS, 'utf8'), CJS));
    try {
      expect(lazy.asked).not.toContain('gbk');
      // 中文 in GBK, and a four-byte GB18030 character (U+20000) cut by a write after its third
      // byte: iconv-lite's own stream decoder then drops the last character ("B"), which is
      // what libmime compares the decoder class for (its LowByteCutDecoder).
      const gbk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]);
      expect(await decodeStream(lazy.charset, 'gbk', [gbk])).toBe('中文');
      const astral = Buffer.from([0x20, 0x95, 0x32, 0x82, 0x36, 0x20, 0x41, 0x42]);
      const cut = [astral.subarray(0, 4), astral.subarray(4)];
      expect(await decodeStream(original.charset, 'gb18030', cut)).toBe(' \u{20000} AB');
      expect(await decodeStream(lazy.charset, 'gb18030', cut)).toBe(' \u{20000} AB');
      expect(lazy.charset.decode(gbk, 'gbk')).toBe('中文');
      expect(lazy.asked).toContain('gbk');
    } finally {
      lazy.stop();
    }
  });

  it('is lazy in every copy of libmime the build put in dist/cli', () => {
    const dist = fileURLToPath(new URL('../../dist/cli/', import.meta.url));
    const files = [
      'watch.cjs',
      ...readdirSync(path.join(dist, 'chunks')).map((name) => path.join('chunks', name)),
    ];
    const found = new Map<string, number>();
    for (const file of files) {
      const text = readFileSync(path.join(dist, file), 'utf8');
      for (const line of text.split('\n').filter((l) => l.includes('getCodec("gbk")'))) {
        expect(line).toMatch(/\?\?= [\w$.]+\.getCodec\("gbk"\)\.decoder/);
        found.set(file, (found.get(file) ?? 0) + 1);
      }
    }
    // libmime's CommonJS and ES module builds, both in watch.cjs and in one chunk.
    expect(found.get('watch.cjs')).toBe(2);
    expect([...found.values()].reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('fails the build when a bundle took in a copy of libmime it did not rewrite, or none', () => {
    const { check } = lazyGbkPlugin();
    const inputs = { 'node_modules/libmime/dist/esm/charset.js': { bytes: 1, imports: [] } };
    expect(() => check({ inputs, outputs: {} }, '/work')).toThrow(
      /not rewritten: node_modules\/libmime\/dist\/esm\/charset\.js/,
    );
    expect(() => check({ inputs: {}, outputs: {} }, '/work')).toThrow(/no libmime charset module/);
  });

  it('fails the build, naming the file, when libmime no longer reads as expected', () => {
    expect(() => lazyGbk('const DBCS_DECODER = null;\n', '/x/libmime/dist/cjs/charset.js')).toThrow(
      /\/x\/libmime\/dist\/cjs\/charset\.js: libmime no longer builds its GBK decoder.*0 definitions, 0 uses/,
    );
  });
});
