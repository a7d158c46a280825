/**
 * Holds back V8's optimizing compiler, TurboFan, while `tidings watch` starts: for `HOLD_MS`
 * from when its bundle has loaded (`runWatch` in commands/index.ts). V8 interprets and
 * baseline-compiles as usual meanwhile; after the hold it tiers up as it always does.
 *
 * Why: in a restart of 20 accounts × 50 mailboxes V8 optimized 48 functions before every
 * mailbox was idle (`--trace-opt`): imapflow's parser, Node's streams, our status lines. Each
 * is compiled on a background thread, on a two-core machine the core the IMAP server forks
 * its login processes on, then installed on the main thread, and none of them ran long enough
 * in the start to pay that back. Held, a restart took about 0.1 s less CPU and some 50 ms less
 * time to all idle (bench/RESULTS.md, issue 23). The hold is short because a long start does
 * pay for TurboFan: a first start at 10 × 1,000 mailboxes parses for over a second, and was
 * 0.26 s slower held throughout.
 *
 * V8 reads `--turbofan` each time a function is due to tier up, so setting it at run time
 * (v8.setFlagsFromString; Node starts V8 with `--no-freeze-flags-after-init` for that) takes
 * effect at once, and nothing is being optimized when it is set either way: none before the
 * hold, and none during it. V8's flags are also part of what it checks a code cache against
 * (the bundle's, and those of Node's built-in modules): whatever is compiled while the flag is
 * held finds no cache that fits, which is why the hold starts after the bundle has loaded.
 *
 * Left alone when Node was started with an option of its own about V8's compilers
 * (`--jitless`, `--max-opt`, `--no-opt`, `--noopt`…): the release must not turn on what the
 * user turned off.
 */
import v8 from 'node:v8';

/** How long the start runs without TurboFan. */
export const HOLD_MS = 500;

const HOLD_FLAG = '--no-turbofan';
const RELEASE_FLAG = '--turbofan';
/**
 * Node or V8 options that choose the compilers themselves. V8 also reads `-flag` and `--noflag`
 * for `--no-flag`; `_` and `-` are the same to it.
 */
const COMPILER_OPTION =
  /^--?(?:no-?)?(?:jitless|lite-mode|turbofan|opt|max-opt|always-turbofan|always-opt)(?:=|$)/;

let releaseTimer: NodeJS.Timeout | undefined;

/**
 * Holds TurboFan back for `ms` from now (a hold under way is extended to that). False when
 * Node's own options choose the compilers: nothing is held then.
 */
export function holdOptimizer(ms = HOLD_MS, options = nodeOptions()): boolean {
  if (options.some((option) => COMPILER_OPTION.test(option.replaceAll('_', '-')))) return false;
  clearTimeout(releaseTimer);
  v8.setFlagsFromString(HOLD_FLAG);
  releaseTimer = setTimeout(releaseOptimizer, ms);
  // A command that ends sooner does not wait for the release.
  releaseTimer.unref();
  return true;
}

/** Ends a hold now; nothing if there is none. */
export function releaseOptimizer(): void {
  if (releaseTimer === undefined) return;
  clearTimeout(releaseTimer);
  releaseTimer = undefined;
  v8.setFlagsFromString(RELEASE_FLAG);
}

/** The options Node was started with: its command line's, then NODE_OPTIONS'. */
function nodeOptions(): string[] {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
}
