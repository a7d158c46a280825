// libmime builds iconv-lite's whole GBK table as it loads, only to learn which decoder class all
// of iconv-lite's double-byte codecs share:
//
//     const DBCS_DECODER = iconv.getCodec('gbk').decoder;
//
// That is 11–19 ms of every start of `tidings watch` (four functions V8 then optimizes, too),
// for the one thing that compares against it, a stream decoder (createDecodeStream) that
// Tidings never calls. scripts/bundle-cli.mjs bundles libmime with that line made lazy: the
// table is built when a decoder is first made, as for any other charset, and a GBK subject
// still builds it when it is first decoded. Checked on the installed libmime by
// test/scripts/lazy-gbk.test.ts. A libmime that no longer reads so fails the build: read the
// new one, and drop this if it has become lazy itself.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** libmime's charset module, in its CommonJS and its ES module build. */
export const CHARSET_MODULE = /[\\/]libmime[\\/]dist[\\/](?:cjs|esm)[\\/]charset\.js$/;

const EAGER = /const DBCS_DECODER = ([\w$.]+)\.getCodec\('gbk'\)\.decoder;/g;
const USE = /codec\.decoder === DBCS_DECODER\b/g;

/** `source`, libmime's charset module, with the GBK codec looked up on first use. */
export function lazyGbk(source, file) {
  const eager = [...source.matchAll(EAGER)];
  const uses = [...source.matchAll(USE)];
  if (eager.length !== 1 || uses.length !== 1) {
    throw new Error(
      `${file}: libmime no longer builds its GBK decoder as scripts/lazy-gbk.mjs expects ` +
        `(${eager.length} definitions, ${uses.length} uses); see that file`,
    );
  }
  const iconv = eager[0][1];
  return source
    .replace(
      EAGER,
      () =>
        `let DBCS_DECODER; const dbcsDecoder = () => (DBCS_DECODER ??= ${iconv}.getCodec('gbk').decoder);`,
    )
    .replace(USE, () => 'codec.decoder === dbcsDecoder()');
}

/**
 * An esbuild plugin applying `lazyGbk` to libmime, for one build; `check(metafile)` after
 * that build throws unless it took libmime in and rewrote every copy it took in.
 */
export function lazyGbkPlugin() {
  const rewritten = new Set();
  return {
    plugin: {
      name: 'lazy-gbk',
      setup(build) {
        build.onLoad({ filter: CHARSET_MODULE }, async (args) => {
          rewritten.add(path.resolve(args.path));
          return { contents: lazyGbk(await readFile(args.path, 'utf8'), args.path), loader: 'js' };
        });
      },
    },
    check(metafile, root) {
      const copies = Object.keys(metafile.inputs).filter((input) => CHARSET_MODULE.test(input));
      const missed = copies.filter((input) => !rewritten.has(path.resolve(root, input)));
      if (copies.length === 0 || missed.length > 0) {
        throw new Error(
          `scripts/lazy-gbk.mjs: ${copies.length === 0 ? 'no libmime charset module in this bundle' : `not rewritten: ${missed.join(', ')}`}; has libmime moved?`,
        );
      }
    },
  };
}
