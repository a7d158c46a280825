import type { Metafile, Plugin } from 'esbuild';

/** libmime's charset module, in its CommonJS and its ES module build. */
export declare const CHARSET_MODULE: RegExp;
/** `source`, libmime's charset module, with the GBK codec looked up on first use. */
export declare function lazyGbk(source: string, file: string): string;
/**
 * An esbuild plugin applying `lazyGbk` for one build, and the check after it: throws unless
 * the build took libmime in and rewrote every copy (`root`: the build's working directory,
 * which its metafile's paths are relative to).
 */
export declare function lazyGbkPlugin(): {
  plugin: Plugin;
  check(metafile: Metafile, root: string): void;
};
