/**
 * The `tidings` commands: watch, check, mailboxes, act, login, service.
 * Code outside this folder imports only from here.
 * Each `runX` loads its command's module when it is called, not when this face is imported:
 * `tidings --version` and `--help` then load nothing of the engine, and `tidings watch` does
 * not load the service's plist or the check's steps. Loading the whole CLI before looking at
 * the arguments took 0.4–0.7 s of a restart's 1 s (bench/RESULTS.md, issue 23).
 */
import type { ActOptions } from './act-command.js';
import type { CheckOptions } from './check-command.js';
import type { LoginOptions } from './login-command.js';
import type { MailboxesOptions } from './mailboxes-command.js';
import type { ServiceOptions } from './service-command.js';
import type { WatchOptions } from './watch-command.js';
import type * as WatchBundle from './watch-bundle.js';
import { fileURLToPath } from 'node:url';
import { loadCachedBundle } from './cached-bundle.js';
import { EarlyConnectionPool, earlyTargetsOf } from './early-connections.js';
import { holdOptimizer } from './optimizer-hold.js';

export { parseStepTimeout } from './step-timeout.js';
export { actArgs, checkActArgs } from './act-args.js';

/** `tidings act`; see act-command.ts. */
export async function runAct(options: ActOptions): Promise<number> {
  return (await import('./act-command.js')).runAct(options);
}

/** `tidings check`; see check-command.ts. */
export async function runCheck(options: CheckOptions): Promise<number> {
  return (await import('./check-command.js')).runCheck(options);
}

/** `tidings login`; see login-command.ts. */
export async function runLogin(options: LoginOptions): Promise<number> {
  return (await import('./login-command.js')).runLogin(options);
}

/** `tidings mailboxes`; see mailboxes-command.ts. */
export async function runMailboxes(options: MailboxesOptions): Promise<number> {
  return (await import('./mailboxes-command.js')).runMailboxes(options);
}

/** `tidings service`; see service-command.ts. */
export async function runService(options: ServiceOptions): Promise<number> {
  return (await import('./service-command.js')).runService(options);
}

/**
 * `tidings watch`; see watch-command.ts. In the built CLI (dist/cli/main.js, where this file
 * is bundled) it runs from watch.cjs beside it, through the code cache the build wrote
 * (cached-bundle.ts: a restart spends its first 0.2 s loading the command); elsewhere
 * (tsc's dist/main/, tests), or on a Node that cannot, from its module.
 */
export async function runWatch(options: WatchOptions): Promise<number> {
  // First of all, the servers: they accept and greet while the rest loads (early-connections.ts).
  const early = new EarlyConnectionPool(earlyTargetsOf(options.config));
  // Node connects on a later tick, to a host name once it is looked up: let it, before the
  // loading below keeps this thread to itself for a while.
  await early.underway();
  try {
    return await runWatchCommand({ ...options, early });
  } finally {
    early.close();
  }
}

async function runWatchCommand(options: WatchOptions): Promise<number> {
  const bundle = loadCachedBundle<typeof WatchBundle>(
    fileURLToPath(new URL('./watch.cjs', import.meta.url)),
  );
  if (!bundle) return (await import('./watch-command.js')).runWatch(options);
  // Loaded: the start goes on with V8's optimizing compiler held back (optimizer-hold.ts).
  // Not sooner: V8 checks code caches, the bundle's and Node's built-in modules', against its
  // flags, and held during the load the built-ins it requires were compiled from their source.
  holdOptimizer();
  const { ConfigError: BundledConfigError } = bundle.exports;
  try {
    return await bundle.exports.runWatch(options);
  } catch (error) {
    if (!(error instanceof BundledConfigError)) throw error;
    // main.ts exits 2 on a ConfigError of its own modules: the same error, as one of those.
    const { ConfigError } = await import('../config/index.js');
    throw Object.assign(new ConfigError(error.file, error.problems), { stack: error.stack });
  }
}
