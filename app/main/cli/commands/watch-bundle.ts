/**
 * What dist/cli/watch.cjs, the code-cached bundle of `tidings watch` (cached-bundle.ts),
 * offers: the command, and its own copy of ConfigError, which is a class of that bundle and
 * not of the one main.ts checks against (`runWatch` in index.ts turns one into the other).
 */
export { runWatch } from './watch-command.js';
export { ConfigError } from '../config/index.js';
