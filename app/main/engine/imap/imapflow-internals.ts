/**
 * The private members of imapflow 2.10.2 the session relies on, typed in one place and pinned
 * by test/engine/imap/imapflow-internals.test.ts: an upgrade that moves one fails there by
 * name. Each is used for a reason the session states where it patches or calls it:
 * - `exec`: the internal command path of every `commands/*.js` (NOTIFY and our own STATUS);
 * - `untaggedHandlers` and `getUntaggedHandler`: where untagged responses outside a command
 *   go (NOTIFY's STATUS and LIST pushes; ALERT and THROTTLED codes), and `currentRequest`,
 *   the running command whose own handlers come first (a STATUS push during its LIST);
 * - `untaggedHandlers.CAPABILITY` and `sectionHandlers.CAPABILITY`: where a CAPABILITY after
 *   login would change what the session goes by;
 * - `throttleWait`: Microsoft 365's throttle, which would park the reader;
 * - `serverBye`: the only place a BYE is seen;
 * - `preCheck`: the DONE that ends IDLE, without a NOOP round trip;
 * - `handleResponse`: where the reader hands over every parsed response (the exchange budget);
 * - `folders`: what a LIST said of each mailbox, which SELECT asks for when it has none;
 * - `isLogLevelEnabled`: whether `handleResponse` would log a response (readPlainStatusFirst).
 *
 * From 2.1.2 to 2.10.2 (read in the two dist/cjs trees, December 2026) none of these moved or
 * changed its contract: `exec`, `getUntaggedHandler`, `throttleWait` and the untagged/section
 * tables are the same code; `reader` still calls `this.handleResponse(data)`; `preCheck` is still
 * what IDLE (and its polling fallback) installs, called through `this`. What changed
 * around them, and what it means here:
 * - `handleResponse` serializes a response for the log only when `isLogLevelEnabled` says the
 *   level reaches someone (2.1.2 did it for every response, with an async compiler): our logger
 *   answers `isLevelEnabled` (imap-logger.ts). Commands are the same, in `send`.
 * - `serverBye` now closes the connection itself after a BYE that does not answer LOGOUT.
 * - A tagged NO or BAD to IDLE sets `skipIdle`: every later `idle()` on that connection polls
 *   with NOOP (commands/idle.js, `runPollingFallback`) where 2.1.2 sent IDLE again; `preCheck`
 *   ends that poll the same way. A NO or BAD line without a tag now fails the running command
 *   (`rejectTaglessCompletion`), and an IDLE whose `+` does not come within `socketTimeout`
 *   fails the connection (ETIMEOUT).
 * - An `alert` event exists (2.3.0); THROTTLED has none, so `watchResponseCodes` stays.
 * - A response of more than a million tokens fails the connection (TooManyTokens), and `list`
 *   and `fetchAll` fail past a million responses (TooManyResponses): both beyond our budgets.
 */
import type { ImapFlow } from 'imapflow';

/** An untagged response as imapflow's parser hands it to a handler. */
export interface UntaggedResponse {
  command?: string;
  attributes?: unknown[];
}

/** Handlers of untagged responses by name. */
export type UntaggedHandlers = Record<string, (untagged: UntaggedResponse) => unknown>;

/** What imapflow's parser hands its reader: one response's line(s) and its literals. */
export interface ParsedInput {
  payload?: Buffer;
  literals?: Buffer[];
}

/** The tagged answer imapflow's `exec` resolves with; `next()` lets the reader go on. */
export interface ExecResponse {
  next(): void;
}

/**
 * What `exec` takes beside the command: handlers of its untagged responses, and our own
 * mark that those handlers pass on what is not theirs (see `forwardStatusPastCommands`).
 */
export interface ExecOptions {
  untagged?: UntaggedHandlers;
  answersOwnStatus?: boolean;
}

/** imapflow's private members, as the session uses them. */
export interface ImapFlowInternals {
  exec(command: string, attributes: unknown, options?: ExecOptions): Promise<ExecResponse>;
  untaggedHandlers: UntaggedHandlers;
  /** Handlers of response codes (`[CAPABILITY …]`) by name, in any response. */
  sectionHandlers: Record<string, (section: unknown) => unknown>;
  getUntaggedHandler?: (command: string, attributes: unknown) => unknown;
  /** The command being answered, with the handlers it passed to `exec`. */
  currentRequest?: { command?: string; options?: ExecOptions } | false | null;
  throttleWait?: (delay: number) => Promise<boolean>;
  serverBye?: (parsed: unknown) => Promise<void>;
  preCheck?: () => Promise<void>;
  /** Resolves false to stop reading (the connection is failing). */
  handleResponse?: (data: ParsedInput) => Promise<boolean>;
  /** Whether its logger takes `level`: it serializes a response for the log only then. */
  isLogLevelEnabled?: (level: string) => boolean;
  /** What LIST said of each mailbox, by imapflow's normalized path (commands/select.js). */
  folders?: Map<string, { path: string }>;
}

/** The same client, seen through its private members. */
export function internalsOf(client: ImapFlow): ImapFlowInternals {
  return client as unknown as ImapFlowInternals;
}

/** What a failed `exec` rejects with: imapflow's tagged NO or BAD, when it was one. */
export interface CommandFailure {
  responseStatus?: string;
  responseText?: string;
}
