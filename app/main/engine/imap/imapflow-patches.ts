/**
 * The places the session changes imapflow 2.10.2's behaviour, each through a private
 * member (imapflow-internals.ts) and each for a reason given with it. Each takes the client
 * and what to call; nothing here keeps state of the session's.
 */
import type { ImapFlow } from 'imapflow';
import { normalizePath } from 'imapflow/lib/tools.js';
import { sanitizeServerText } from '../base/index.js';
import { internalsOf, type ParsedInput, type UntaggedResponse } from './imapflow-internals.js';
import { plainStatusAttributes } from './plain-status.js';

/** A response code the session acts on. */
export type NotedCode = 'ALERT' | 'THROTTLED';

/**
 * RFC 3501 §7.1: the human-readable text of an `[ALERT]` "MUST be presented to the user".
 * Gmail sends them (`[ALERT] Please log in via your web browser…`); a tagged NO [ALERT]
 * reaches the user as the failure's text, an untagged one only through here. imapflow has an
 * `alert` event since 2.3.0 (`reportAlert` in imap-flow.js, 2.10.2), but none for THROTTLED,
 * and 2.1.2 had none at all: both are read here, in one place. Every untagged response goes
 * through its `getUntaggedHandler(command, attributes)` (imap-flow.js, one call site in
 * `handleResponse`), which is where the section code and text are read. Gmail's and
 * Exchange's untagged `[THROTTLED]` come the same way. `onCode` gets the text sanitized.
 */
export function watchResponseCodes(
  client: ImapFlow,
  onCode: (code: NotedCode, text: string) => void,
): void {
  const internals = internalsOf(client);
  const lookUp = internals.getUntaggedHandler;
  if (typeof lookUp !== 'function') return;
  internals.getUntaggedHandler = (command: string, attributes: unknown) => {
    const name = typeof command === 'string' ? command.toUpperCase() : '';
    if (['OK', 'NO', 'BAD', 'BYE'].includes(name)) {
      const noted = responseCodeOf(attributes);
      if (noted) onCode(noted.code, noted.text);
    }
    return lookUp.call(client, command, attributes);
  };
}

/**
 * A NOTIFY push that arrives while another command runs must still reach us. imapflow gives an
 * untagged response to the running command's own handler when it has one for that name, and
 * only otherwise to `untaggedHandlers` (getUntaggedHandler in imap-flow.js, 2.10.2). Its LIST
 * (commands/list.js) keeps every untagged STATUS for LIST-STATUS, and its SELECT runs a LIST
 * the first time a connection opens a mailbox (commands/select.js): a STATUS pushed for
 * another mailbox just then was kept in that LIST's map and never seen again (found by the
 * interleaving test once first starts stopped EXAMINing every mailbox, issue 23). Here a
 * STATUS taken by any command but our own STATUS and LIST-STATUS (which route other
 * mailboxes' lines on themselves, commands/status.ts and status-many.ts) also goes to the
 * global handler: imapflow's LIST-STATUS line is a STATUS too.
 */
export function forwardStatusPastCommands(client: ImapFlow): void {
  const internals = internalsOf(client);
  const lookUp = internals.getUntaggedHandler;
  if (typeof lookUp !== 'function') return;
  internals.getUntaggedHandler = (command: string, attributes: unknown) => {
    const handler = lookUp.call(client, command, attributes);
    const request = internals.currentRequest || undefined;
    const own = request?.options?.untagged?.STATUS;
    const isStatus = typeof command === 'string' && command.toUpperCase() === 'STATUS';
    if (!isStatus || typeof handler !== 'function' || handler !== own) return handler;
    // Our STATUS and LIST-STATUS route other mailboxes' lines on themselves (commands/).
    if (request?.options?.answersOwnStatus === true) return handler;
    return async (untagged: UntaggedResponse) => {
      await (handler as (untagged: UntaggedResponse) => unknown)(untagged);
      await internals.untaggedHandlers.STATUS?.(untagged);
    };
  };
}

function responseCodeOf(attributes: unknown): { code: NotedCode; text: string } | undefined {
  if (!Array.isArray(attributes)) return undefined;
  const first = attributes[0] as { section?: Array<{ value?: unknown }> } | undefined;
  const code = String(first?.section?.[0]?.value ?? '').toUpperCase();
  if (code !== 'ALERT' && code !== 'THROTTLED') return undefined;
  const text = sanitizeServerText(
    attributes
      .filter((attribute) => (attribute as { type?: unknown })?.type === 'TEXT')
      .map((attribute) => String((attribute as { value?: unknown }).value ?? '').trim())
      .join(' '),
  );
  return { code, text };
}

/**
 * Microsoft 365 answers a throttled command with `BAD Request is throttled. Suggested Backoff
 * Time: N milliseconds`; imapflow 2.10.2 then parks its reader for up to half the socket
 * timeout (`throttleWait` in imap-flow.js) before it rejects with ETHROTTLE. Parked, the
 * command would outlive our deadline and read as a dead connection. Waiting is the watcher's
 * business (backoff, with the connection dropped): the rejection comes at once, `onThrottle`
 * hears the server's suggestion, and the session ends the connection. Its FETCH command
 * (commands/fetch.js) would retry a throttled FETCH three times through the same
 * `throttleWait`: every wait after the first answers "aborted", so no retry goes out.
 */
export function neverParkOnThrottle(client: ImapFlow, onThrottle: (delayMs: number) => void): void {
  const internals = internalsOf(client);
  if (typeof internals.throttleWait !== 'function') return;
  let throttled = false;
  internals.throttleWait = async (delay: number) => {
    if (throttled) return true;
    throttled = true;
    onThrottle(delay);
    return false;
  };
}

/**
 * RFC 3501 §7.1.5: an untagged BYE says the server is about to close. imapflow 2.1.2 noted it
 * and waited for the socket to close, so a server whose FIN never came left us idling until
 * the heartbeat, the reason lost; 2.10.2 closes the connection itself after a BYE that does
 * not answer LOGOUT, but a command settling on the way out must still read as the BYE's
 * failure (the session's `call`). Its `serverBye` (imap-flow.js; there is no BYE event) is
 * the one place to learn of it first: `onBye` runs once imapflow has noted it.
 */
export function onServerBye(client: ImapFlow, onBye: () => void): void {
  const internals = internalsOf(client);
  const serverBye = internals.serverBye;
  if (typeof serverBye !== 'function') return;
  internals.serverBye = async (parsed: unknown) => {
    await serverBye.call(client, parsed);
    onBye();
  };
}

/**
 * imapflow's reader (`reader()` in imap-flow.js, 2.10.2) hands every response its parser
 * assembled, tagged, untagged and `+` alike, to `handleResponse`, one at a time: the one place
 * to count what a server sends per command or wait. `onResponse` hears each one's bytes (its
 * lines and literals) before imapflow acts on it; when it answers false the response is
 * dropped unread and so is every later one, and the caller ends the connection.
 */
export function meterResponses(client: ImapFlow, onResponse: (bytes: number) => boolean): void {
  const internals = internalsOf(client);
  const handleResponse = internals.handleResponse;
  if (typeof handleResponse !== 'function') return;
  let refused = false;
  internals.handleResponse = async (data: ParsedInput) => {
    refused ||= !onResponse(sizeOf(data));
    return refused ? false : handleResponse.call(client, data);
  };
}

function sizeOf(data: ParsedInput): number {
  const literals = data.literals ?? [];
  return (data.payload?.length ?? 0) + literals.reduce((sum, literal) => sum + literal.length, 0);
}

/**
 * What a server offers is learned at login and holds for the session. imapflow 2.10.2 takes a
 * CAPABILITY at any time, untagged or as a `[CAPABILITY …]` code in any answer (its
 * `untaggedHandlers` and `sectionHandlers`, set in `connect()`), and goes by the latest: a
 * server that later lists no IDLE has `idle()` poll with NOOP every two minutes in its place,
 * unseen (found by the server fuzz suite), and `has()` answer differently mid-session. RFC 3501
 * §7.2.1 sends capabilities in answer to CAPABILITY, in the greeting and in the login's OK,
 * all before `connect()` resolves; after it, this has later ones ignored.
 */
export function keepLoginCapabilities(client: ImapFlow): void {
  const internals = internalsOf(client);
  const ignore = () => undefined;
  internals.untaggedHandlers.CAPABILITY = ignore;
  if (typeof internals.sectionHandlers === 'object') internals.sectionHandlers.CAPABILITY = ignore;
}

/**
 * imapflow 2.10.2's SELECT (commands/select.js) first runs `LIST "" path`, and with it an
 * LSUB, the first time a connection opens a mailbox, for the delimiter, SPECIAL-USE and
 * subscription it copies onto its mailbox object, and caches the answer in `folders`. The
 * session reads none of those (only UIDVALIDITY, UIDNEXT, EXISTS and HIGHESTMODSEQ, which
 * SELECT's own answer holds): two round trips per connection for nothing, 40 of a restart's
 * 200 commands at 20 accounts (issue 23). An entry that names only the path, put where the
 * LIST's would go, makes SELECT skip them; a mailbox that does not exist still fails at
 * SELECT, as it did after an empty LIST. A real LIST's entry, when one was made, is kept.
 */
export function skipListBeforeSelect(client: ImapFlow, path: string): void {
  const folders = internalsOf(client).folders;
  if (!(folders instanceof Map)) return;
  // The key SELECT looks up: INBOX in upper case, the namespace's prefix added.
  const key = normalizePath(client, path);
  if (!folders.has(key)) folders.set(key, { path: key });
}

/**
 * Untagged STATUS lines of the plain shape (plain-status.ts: every NOTIFY push from the
 * servers we know) skip imapflow's general parser and go where its `handleResponse` would
 * send them, and only there: to the handler `getUntaggedHandler` answers for STATUS (the
 * running command's own, ours, or none), as `{ tag: '*', command: 'STATUS', attributes }`,
 * the object imapflow's parser makes of them. Nothing else in `handleResponse` applies to an
 * untagged STATUS (2.10.2: no section code, no tag to settle, no `response` event); its debug
 * log of the line does, so with debug on every line goes imapflow's way. A failing handler is
 * reported to `onError` and the line dropped, as imapflow does. Set before `meterResponses`,
 * which then counts these lines too.
 */
export function readPlainStatusFirst(client: ImapFlow, onError: (error: unknown) => void): void {
  const internals = internalsOf(client);
  const handleResponse = internals.handleResponse;
  if (typeof handleResponse !== 'function') return;
  internals.handleResponse = async (data: ParsedInput) => {
    const attributes =
      data.payload && (data.literals?.length ?? 0) === 0
        ? plainStatusAttributes(data.payload)
        : undefined;
    const lookUp = internals.getUntaggedHandler;
    if (!attributes || typeof lookUp !== 'function' || internals.isLogLevelEnabled?.('debug')) {
      return handleResponse.call(client, data);
    }
    const handler = lookUp.call(client, 'STATUS', attributes);
    if (typeof handler !== 'function') return true;
    try {
      await (handler as (untagged: UntaggedResponse) => unknown)({
        tag: '*',
        command: 'STATUS',
        attributes,
      } as UntaggedResponse);
    } catch (error) {
      onError(error);
    }
    return true;
  };
}
