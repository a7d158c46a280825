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

/** `tidings watch`; see watch-command.ts. */
export async function runWatch(options: WatchOptions): Promise<number> {
  return (await import('./watch-command.js')).runWatch(options);
}
