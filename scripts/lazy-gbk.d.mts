import type { Plugin } from 'esbuild';

/** libmime's charset module, in its CommonJS and its ES module build. */
export declare const CHARSET_MODULE: RegExp;
/** `source`, libmime's charset module, with the GBK codec looked up on first use. */
export declare function lazyGbk(source: string, file: string): string;
/** An esbuild plugin applying `lazyGbk`, and how many modules it rewrote. */
export declare function lazyGbkPlugin(): { applied(): number; plugin: Plugin };
