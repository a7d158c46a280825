/**
 * One IMAP connection, every call under a deadline. imapflow never reconnects (one
 * `connect()` per instance), has no per-command timeout and emits a raw `error` that crashes
 * the process without a listener; this wrapper owns exactly one ImapFlow, listens for
 * `error` from before `connect()` until it is dropped, and turns any missed deadline into a
 * destroyed socket, and bounds what the server may send (response-limits.ts): past a limit
 * the connection ends as a protocol error. A closed session is thrown away; the watcher makes
 * a new one.
 */
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { isInvalidName } from '../../../common/server-address.js';
// imapflow's own modified-UTF-7 mailbox name coding (RFC 3501 §5.1.3), exported through its
// package.json's "./lib/*.js" entry: NOTIFY's mailbox list and its STATUS answers need it.
import { decodePath, encodePath } from 'imapflow/lib/tools.js';
import {
  classifyError,
  formatSeconds,
  sanitizeServerText,
  TidingsError,
  withDeadline,
} from '../base/index.js';
import { throwMailboxRefusal } from './command-refusal.js';
import { fetchedInRange } from './fetched-messages.js';
import type { CommandConnection } from './commands/command-connection.js';
import { notifySet } from './commands/notify.js';
import { statusOf } from './commands/status.js';
import { batchesOf, canAskMany, listsAlone, statusOfMany } from './commands/status-many.js';
import { internalsOf, type UntaggedResponse } from './imapflow-internals.js';
import {
  forwardStatusPastCommands,
  keepLoginCapabilities,
  meterResponses,
  neverParkOnThrottle,
  onServerBye,
  readPlainStatusFirst,
  skipListBeforeSelect,
  watchResponseCodes,
  type NotedCode,
} from './imapflow-patches.js';
import type { ListedMailbox, MailboxStatus } from './mailbox-status.js';
import {
  ExchangeMeter,
  fetchBudget,
  listAllBudget,
  type ExchangeBudget,
} from './response-limits.js';
import { nameOf, parseStatus } from './untagged.js';
import { toImapFlowOptions, type SessionOptions } from './session-options.js';
import { explainTlsFailure, resolveTlsOptions } from './tls-options.js';

/** What SELECT told us about the mailbox. */
export interface SelectedMailbox {
  uidValidity: number;
  uidNext: number;
  exists: number;
  /** CONDSTORE (RFC 7162): the mailbox's HIGHESTMODSEQ, as a decimal string. */
  highestModseq?: string;
  /**
   * Set when SELECT gave no UIDNEXT and STATUS's, asked after it, stands in: mail that came
   * in between may be below it and not yet in the selected view.
   */
  uidNextAfterSelect?: boolean;
}

/** What a mailbox change during IDLE was. */
export type MailboxChange = 'exists' | 'expunge' | 'flags';

/** A connected, logged-in IMAP session. */
export class ImapSession {
  private closeReason: TidingsError | undefined;
  private closedFor: TidingsError | undefined;
  // Who is waiting for the connection to end. A Set rather than reactions on one pending
  // promise: each command removes itself when it settles, so a connection that lives for
  // weeks does not accumulate a reaction per heartbeat.
  private readonly closeWaiters = new Set<(reason: TidingsError) => void>();
  private idleEnded: Promise<unknown> | undefined;
  private loggingOut = false;
  // Set when the server refused a LIST-STATUS it announced: STATUS one by one after that.
  private listStatusRefused = false;
  private readonly alertListeners = new Set<(text: string) => void>();
  private readonly statusListeners = new Set<(status: MailboxStatus) => void>();
  private lastAlert: string | undefined;
  // Set when the server throttled a command: the connection ends for that reason.
  private throttled: TidingsError | undefined;
  // What the server has sent in the current command or wait, against its budget.
  private readonly meter = new ExchangeMeter();

  private constructor(
    private readonly client: ImapFlow,
    private readonly options: SessionOptions,
  ) {
    client.once('close', () => {
      this.closeReason ??= client.byeReason
        ? byeError(client.byeReason)
        : new TidingsError('network', 'connection closed');
      this.closedFor = this.closeReason;
      for (const waiter of this.closeWaiters) waiter(this.closeReason);
      this.closeWaiters.clear();
    });
    // Stays attached for the object's lifetime: an `error` without a listener kills Node.
    client.on('error', (error: unknown) => {
      this.closeReason ??= classifyError(error);
      options.logger.debug(`${options.label}: connection error: ${this.closeReason.message}`);
    });
    // Unless our own LOGOUT asked for it, a BYE ends the connection with its reason at once.
    onServerBye(client, () => {
      if (this.loggingOut) return;
      this.closeReason ??= byeError(client.byeReason);
      // Not from inside imapflow's response handler: the close runs once it has returned.
      setImmediate(() => this.destroy());
    });
    watchResponseCodes(client, (code, text) => this.noteResponseCode(code, text));
    forwardStatusPastCommands(client);
    readPlainStatusFirst(client, (error) =>
      options.logger.warn(`${options.label}: a STATUS response failed: ${String(error)}`),
    );
    meterResponses(client, (bytes) => {
      const breach = this.meter.add(bytes);
      if (!breach) return true;
      this.closeReason ??= breach;
      options.logger.warn(`${options.label}: ${breach.message}`);
      setImmediate(() => this.destroy());
      return false;
    });
    neverParkOnThrottle(client, (delay) => {
      this.throttled = new TidingsError(
        'network',
        `throttled by the server (it asks us to wait ${formatSeconds(delay)})`,
        { retryAfterMs: delay },
      );
      this.closeReason ??= this.throttled;
      setImmediate(() => this.destroy());
    });
  }

  /** ALERTs are shown to the user (status detail) and logged; THROTTLED is logged. */
  private noteResponseCode(code: NotedCode, text: string): void {
    const { logger, label } = this.options;
    if (code === 'THROTTLED') {
      logger.warn(`${label}: the server is throttling this connection${text ? `: ${text}` : ''}`);
      return;
    }
    logger.warn(`${label}: server alert: ${text || '(no text)'}`);
    this.lastAlert = text;
    for (const listener of this.alertListeners) listener(text);
  }

  /**
   * Calls `listener` with the text of every untagged `[ALERT]` (RFC 3501 §7.1), already
   * sanitized, starting with the latest one before it subscribed (one in the greeting or during
   * login, which come before `open` resolves); each alert is logged at warn level either way.
   */
  onAlert(listener: (text: string) => void): void {
    this.alertListeners.add(listener);
    if (this.lastAlert !== undefined) listener(this.lastAlert);
  }

  /**
   * Connects, upgrades to TLS as configured, and logs in, all within one deadline; `signal`
   * aborts the attempt at once (a watcher being stopped).
   */
  static async open(options: SessionOptions, signal?: AbortSignal): Promise<ImapSession> {
    if (isInvalidName(options.host)) {
      // RFC 6761 §6.4: a name under .invalid never resolves, so no DNS server is asked.
      throw classifyError(
        Object.assign(new Error(`${options.host}: reserved name`), { code: 'ENOTFOUND' }),
      );
    }
    const tlsOptions = await resolveTlsOptions(options);
    if (signal?.aborted) throw new TidingsError('network', 'stopped');
    const early = options.early?.take(options.host, options.port);
    if (early) options.logger.debug(`${options.label}: on the connection opened at start`);
    const client = new ImapFlow(toImapFlowOptions(options, tlsOptions, early));
    const session = new ImapSession(client, options);
    const abort = () => session.destroy(new TidingsError('network', 'stopped'));
    signal?.addEventListener('abort', abort, { once: true });
    try {
      if (signal?.aborted) abort();
      await session.call('connect and login', client.connect());
      keepLoginCapabilities(client);
      return session;
    } catch (error) {
      session.destroy();
      throw await explainTlsFailure(classifyError(error), options);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  /** True while the connection can take commands. */
  get usable(): boolean {
    return this.client.usable && !this.closeReason;
  }

  /** Settles like `work`, or rejects with the reason as soon as the connection closes. */
  raceClose<T>(work: Promise<T>): Promise<T> {
    if (this.closedFor) {
      // Nobody waits for `work` any more; its own rejection must not go unhandled.
      work.catch(() => {});
      return Promise.reject(this.closedFor);
    }
    return new Promise<T>((resolve, reject) => {
      this.closeWaiters.add(reject);
      work.then(
        (value) => {
          this.closeWaiters.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.closeWaiters.delete(reject);
          reject(error);
        },
      );
    });
  }

  /** True if the server announced `capability` (e.g. NOTIFY, CONDSTORE) after login. */
  has(capability: string): boolean {
    return this.client.capabilities.has(capability.toUpperCase());
  }

  /** The narrow connection our own commands (NOTIFY, STATUS) run over. */
  private get commands(): CommandConnection {
    return {
      exec: (command, attributes, options) =>
        internalsOf(this.client).exec(command, attributes, options),
      encodeName: (path) => encodePath(this.client, path),
      decodeName: (raw) => decodePath(this.client, raw),
      has: (capability) => this.has(capability),
      pushStatus: (untagged) => this.pushedStatus(untagged),
      pushList: (untagged) => void internalsOf(this.client).untaggedHandlers.LIST?.(untagged),
    };
  }

  /** True when `path` goes on the wire in modified UTF-7 (non-ASCII, or an `&`). */
  encodesName(path: string): boolean {
    return encodePath(this.client, path) !== path;
  }

  /** NOTIFY SET STATUS for `mailboxes` or `personal` (commands/notify.ts), under the deadline. */
  async notifySet(mailboxes: readonly string[] | 'personal'): Promise<void> {
    await this.call('NOTIFY', notifySet(this.commands, mailboxes));
  }

  /**
   * Calls `listener` for every untagged STATUS outside a STATUS command: what NOTIFY sends for
   * mailboxes that are not selected. imapflow routes an untagged response to the running
   * command's handler first, then to `untaggedHandlers` by name (getUntaggedHandler in
   * imap-flow.js, 2.10.2), where it has none for STATUS and drops it: ours goes there.
   */
  onMailboxStatus(listener: (status: MailboxStatus) => void): void {
    this.statusListeners.add(listener);
    internalsOf(this.client).untaggedHandlers.STATUS = (untagged) => this.pushedStatus(untagged);
  }

  private pushedStatus(untagged: UntaggedResponse): void {
    const status = parseStatus(untagged.attributes, (raw) => decodePath(this.client, raw));
    if (status) for (const listener of this.statusListeners) listener(status);
  }

  /**
   * Calls `listener` for every untagged LIST outside a LIST command: NOTIFY's MailboxName
   * event (RFC 5465 §5.4), `\NonExistent` for a deleted mailbox, without it for a new one.
   * The same routing as STATUS above: imapflow's LIST command keeps its own handler.
   */
  onMailboxListed(listener: (path: string, exists: boolean) => void): void {
    internalsOf(this.client).untaggedHandlers.LIST = (untagged) => {
      const [flags, , name] = untagged.attributes ?? [];
      const raw = nameOf(name);
      if (raw === undefined || !Array.isArray(flags)) return;
      const gone = flags.some(
        (flag) => String((flag as { value?: unknown }).value).toLowerCase() === '\\nonexistent',
      );
      listener(decodePath(this.client, raw), !gone);
    };
  }

  /** STATUS of a mailbox that is not selected (commands/status.ts), under the deadline. */
  status(path: string): Promise<MailboxStatus> {
    return this.call(`STATUS ${path}`, statusOf(this.commands, path));
  }

  /** True while `statusMany` asks in one round trip (LIST-STATUS, not refused yet). */
  get asksManyAtOnce(): boolean {
    return !this.listStatusRefused && canAskMany(this.commands);
  }

  /**
   * STATUS of many mailboxes that are not selected, each batch of them in one LIST-STATUS
   * (commands/status-many.ts) under the deadline. The answer holds those the server listed;
   * the caller asks `status` of the rest (a name LIST cannot match alone, one not there,
   * all of them without LIST-STATUS), whose NO names the problem. A refused LIST-STATUS is
   * not asked again on this connection.
   */
  async statusMany(paths: readonly string[]): Promise<Map<string, MailboxStatus>> {
    const answers = new Map<string, MailboxStatus>();
    if (!this.asksManyAtOnce) return answers;
    const encode = (path: string) => encodePath(this.client, path);
    const alone = paths.filter((path) => listsAlone(encode(path)));
    for (const batch of batchesOf(alone, encode)) {
      try {
        const what = `LIST-STATUS of ${batch.length} mailbox${batch.length === 1 ? '' : 'es'}`;
        for (const [path, status] of await this.call(what, statusOfMany(this.commands, batch))) {
          answers.set(path, status);
        }
      } catch (error) {
        // A tagged NO or BAD leaves the connection usable: STATUS one by one from now on.
        if (!this.usable) throw error;
        this.listStatusRefused = true;
        break;
      }
    }
    return answers;
  }

  /** Leaves the selected mailbox (CLOSE: after EXAMINE it expunges nothing, RFC 3501 §6.4.2). */
  async unselect(): Promise<void> {
    // imapflow answers a refused CLOSE with false: the mailbox would still be selected.
    const closed = await this.call('CLOSE', this.client.mailboxClose());
    if (closed !== true) throw new TidingsError('protocol', 'CLOSE failed');
  }

  /** Proves the connection alive: NOOP answered within the deadline. */
  async noop(deadlineMs = this.options.commandTimeoutMs): Promise<void> {
    await this.call('NOOP', this.client.noop(), deadlineMs);
    if (!this.usable) throw this.closeReason ?? new TidingsError('network', 'connection lost');
  }

  /**
   * Calls `listener` on EXISTS, EXPUNGE and FETCH FLAGS responses for the selected mailbox,
   * with the path imapflow's event names (that of the mailbox selected when it came).
   */
  onMailboxChange(listener: (change: MailboxChange, path: string | undefined) => void): void {
    const pathOf = (event: unknown) => {
      const path = (event as { path?: unknown } | undefined)?.path;
      return typeof path === 'string' ? path : undefined;
    };
    this.client.on('exists', (event: unknown) => listener('exists', pathOf(event)));
    this.client.on('expunge', (event: unknown) => listener('expunge', pathOf(event)));
    this.client.on('flags', (event: unknown) => listener('flags', pathOf(event)));
  }

  /** SELECTs `path` (read-write is not needed: EXAMINE keeps \Recent and flags untouched). */
  async select(path: string): Promise<SelectedMailbox> {
    skipListBeforeSelect(this.client, path);
    // A tagged NO to SELECT: the mailbox is gone (RFC 5530 NONEXISTENT) or not ours to read.
    const opening = this.client
      .mailboxOpen(path, { readOnly: true })
      .catch((error: unknown) => throwMailboxRefusal(error, path, ['NO']));
    const mailbox = await this.call(`SELECT ${path}`, opening);
    const fromSelect = Number.isSafeInteger(mailbox.uidNext) && mailbox.uidNext > 0;
    const selected: SelectedMailbox = {
      uidValidity: Number(mailbox.uidValidity),
      uidNext: fromSelect ? mailbox.uidNext : await this.uidNextOf(path),
      exists: mailbox.exists,
    };
    if (!fromSelect) selected.uidNextAfterSelect = true;
    if (mailbox.highestModseq !== undefined) selected.highestModseq = String(mailbox.highestModseq);
    return selected;
  }

  /**
   * SELECT's UIDNEXT, or STATUS's where SELECT sent none: Courier 5.0 answers SELECT without
   * the `OK [UIDNEXT n]` RFC 3501 §6.3.1 requires (STATUS has it), and imapflow then leaves
   * `uidNext` undefined, which would make the cursor NaN.
   */
  private async uidNextOf(path: string): Promise<number> {
    const status = await this.call(`STATUS ${path}`, this.client.status(path, { uidNext: true }));
    const uidNext = status ? status.uidNext : undefined;
    if (uidNext === undefined || !Number.isSafeInteger(uidNext) || uidNext < 1) {
      throw new TidingsError('protocol', `${path}: the server gives no UIDNEXT (SELECT, STATUS)`);
    }
    return uidNext;
  }

  /**
   * Runs `work` on the imapflow client under the command deadline and the exchange budget,
   * as every command here does: for the commands that live in their own module
   * (message-changes.ts).
   */
  run<T>(what: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    return this.call(what, work(this.client));
  }

  /** The UIDs above `uid` in the selected mailbox, ascending (UID SEARCH UID uid+1:*). */
  async uidsAbove(uid: number): Promise<number[]> {
    const found = await this.call(
      'UID SEARCH',
      this.client.search({ uid: `${uid + 1}:*` }, { uid: true }),
    );
    // imapflow answers a failed SEARCH with false: treat it as the failure it is.
    if (!Array.isArray(found)) throw new TidingsError('protocol', 'UID SEARCH failed');
    // RFC 3501 §6.4.8: "N:*" always includes the highest UID, even when it is below N.
    return found.filter((above) => above > uid).sort((a, b) => a - b);
  }

  /**
   * UID FETCH of envelope, flags and the List-Id header (RFC 2919, for the mailing-list rules;
   * ENVELOPE does not carry it) for the `count` messages with UIDs from `first` to `last`
   * (what the answer may weigh grows with it). With `previewBytes`, in the same command, what a
   * preview is read from (engine/preview): BODYSTRUCTURE, and the first `previewBytes` of part
   * 1 by BODY.PEEK (never sets \Seen), the text of most mail (a message that is not multipart,
   * the text/plain half of multipart/alternative), so that most previews cost no round trip.
   */
  async fetchRange(
    first: number,
    last: number,
    count: number,
    previewBytes?: number,
  ): Promise<FetchMessageObject[]> {
    const messages = await this.call(
      'UID FETCH',
      this.client.fetchAll(
        `${first}:${last}`,
        {
          uid: true,
          flags: true,
          envelope: true,
          headers: ['list-id'],
          ...(previewBytes
            ? {
                bodyStructure: true,
                bodyParts: [{ key: '1', start: 0, maxLength: previewBytes }],
              }
            : {}),
        },
        { uid: true },
      ),
      this.options.commandTimeoutMs,
      fetchBudget(count),
    );
    return fetchedInRange(messages, first, last);
  }

  /** The raw lines of header `fields` of the messages `uids` (BODY.PEEK[HEADER.FIELDS]). */
  async rawHeaders(uids: readonly number[], fields: string[]): Promise<Map<number, Buffer>> {
    const messages = await this.call(
      'UID FETCH',
      this.client.fetchAll(uids.join(','), { uid: true, headers: fields }, { uid: true }),
      this.options.commandTimeoutMs,
      fetchBudget(uids.length),
    );
    const asked = new Set(uids);
    return new Map(
      fetchedInRange(messages, 1, Number.MAX_SAFE_INTEGER)
        .filter((m) => asked.has(m.uid) && m.headers)
        .map((m) => [m.uid, m.headers as Buffer]),
    );
  }

  /** How many messages in the selected mailbox are not \Seen. */
  async countUnseen(): Promise<number> {
    // ESEARCH (RFC 4731): the server answers with the count alone, not every unseen UID, so a
    // flag change in a mailbox of 10^5 unread costs a line, not 600 KB.
    if (this.has('ESEARCH')) {
      const found = await this.call(
        'SEARCH RETURN (COUNT) UNSEEN',
        this.client.search({ seen: false }, { uid: true, returnOptions: ['COUNT'] }),
      );
      if (found && !Array.isArray(found)) return found.count ?? 0;
      if (Array.isArray(found)) return found.length;
      throw new TidingsError('protocol', 'SEARCH UNSEEN failed');
    }
    const uids = await this.call(
      'SEARCH UNSEEN',
      this.client.search({ seen: false }, { uid: true }),
    );
    return Array.isArray(uids) ? uids.length : 0;
  }

  /**
   * Enters IDLE; the next command (or `leaveIdle`) ends it with DONE. The promise settles when
   * IDLE is over, which the server may also decide on its own.
   */
  enterIdle(): Promise<unknown> {
    this.meter.start('in one IDLE wait');
    const ended = this.client.idle().catch((error: unknown) => error);
    this.idleEnded = ended;
    return ended;
  }

  /**
   * Ends IDLE and proves the connection alive: DONE must be answered with IDLE's tagged OK
   * within the deadline. An unanswered DONE (Gmail after long IDLEs) means a dead connection.
   */
  async leaveIdle(deadlineMs = this.options.commandTimeoutMs): Promise<void> {
    const idleEnded = this.idleEnded ?? Promise.resolve();
    this.idleEnded = undefined;
    // imapflow has no public "end IDLE": its IDLE command (commands/idle.js in 2.10.2) installs
    // `preCheck`, which sends DONE and which run() calls before any command. Calling it
    // directly saves the NOOP round trip that a public command would cost. Should a later
    // imapflow drop it, a NOOP ends IDLE the same way (noop() swallows errors; hence usable).
    const preCheck = internalsOf(this.client).preCheck;
    const done = typeof preCheck === 'function' ? preCheck.call(this.client) : this.client.noop();
    await this.call('DONE', Promise.all([idleEnded, done]), deadlineMs);
    if (!this.usable) throw this.closeReason ?? new TidingsError('network', 'connection lost');
  }

  /** Lists the account's mailboxes (for the settings window's picker). */
  async listMailboxes(): Promise<string[]> {
    const list = await this.call('LIST', this.client.list());
    return list.filter((entry) => !entry.flags.has('\\Noselect')).map((entry) => entry.path);
  }

  /**
   * Every mailbox LIST gives, with its attributes and special use (imapflow reads SPECIAL-USE
   * and, without it, the usual names), and the prefixes of the other users' and shared
   * namespaces (RFC 2342), for `"mailboxes": "all"`.
   */
  async listAll(): Promise<{ listed: ListedMailbox[]; otherNamespaces: string[] }> {
    const list = await this.call(
      'LIST',
      this.client.list({ listOnly: true }),
      this.options.commandTimeoutMs,
      listAllBudget,
    );
    const listed = list.map((entry) => ({
      path: entry.path,
      flags: [...entry.flags],
      specialUse: entry.specialUse,
      delimiter: entry.delimiter,
    }));
    // INBOX always exists (RFC 3501 §5.1), but imapflow lists under the personal namespace's
    // prefix: Courier's is "INBOX.", and LIST "INBOX." "*" leaves INBOX itself out.
    if (!listed.some((entry) => entry.path.toUpperCase() === 'INBOX')) {
      listed.unshift({
        path: 'INBOX',
        flags: [],
        specialUse: undefined,
        delimiter: listed[0]?.delimiter ?? '/',
      });
    }
    const namespaces = this.client.namespaces;
    const otherNamespaces = [...(namespaces?.other || []), ...(namespaces?.shared || [])]
      .map((namespace) => namespace.prefix)
      .filter((prefix): prefix is string => typeof prefix === 'string' && prefix !== '');
    return { listed, otherNamespaces };
  }

  /** Says LOGOUT, waiting at most `ms`, then drops the socket either way. */
  async logout(ms: number): Promise<void> {
    this.loggingOut = true;
    if (this.usable) {
      await withDeadline(this.options.clock, this.client.logout(), ms, 'LOGOUT', () => {}).catch(
        () => {},
      );
    }
    this.destroy();
  }

  /** Drops the socket at once; every pending command rejects. */
  destroy(reason?: TidingsError): void {
    if (reason) this.closeReason ??= reason;
    this.client.close();
  }

  /**
   * Runs `work` under the command deadline, also failing at once if the connection closes;
   * the server may send up to `budget` bytes until it settles.
   */
  private async call<T>(
    what: string,
    work: Promise<T>,
    deadlineMs = this.options.commandTimeoutMs,
    budget?: ExchangeBudget,
  ): Promise<T> {
    this.meter.start(`in answer to ${what}`, budget);
    try {
      const result = await withDeadline(
        this.options.clock,
        this.raceClose(work),
        deadlineMs,
        what,
        () => this.destroy(),
      );
      // An answer that settles once the connection is ending is not to be trusted: imapflow
      // resolves some commands on a closing connection with nothing (a FETCH with no
      // messages, a SELECT with no mailbox), and a resync would move its mark past mail it
      // never saw. A server's BYE marks the end at once, before the socket closes (found by
      // the server fuzz suite: a BYE before a SEARCH's answer lost the message searched for).
      if (this.closeReason) throw this.closeReason;
      return result;
    } catch (error) {
      const failure =
        this.closeReason && !(error instanceof TidingsError && error.code === 'timeout')
          ? preferSpecific(this.closeReason, error)
          : classifyError(error);
      // After a throttle, whatever imapflow rejects with (a FETCH retry it gave up) is the throttle.
      throw this.throttled && failure.retryAfterMs === undefined ? this.throttled : failure;
    } finally {
      // Until the next command or IDLE: what the server says unasked (NOTIFY's pushes, say).
      this.meter.start('outside any command');
    }
  }
}

/**
 * The error for a server's BYE. Exchange Online ends a session whose OAuth2 token ran out
 * with `* BYE Session invalidated - AccessTokenExpired`: that one asks for a fresh token.
 */
function byeError(byeReason: string | undefined): TidingsError {
  const reason = sanitizeServerText(byeReason) || 'BYE';
  return new TidingsError('network', `server closed the connection: ${reason}`, {
    credentialsExpired: /AccessTokenExpired|access token (has )?expired/i.test(reason),
  });
}

// The connection-level error (auth, TLS) says more than imapflow's generic "NoConnection".
function preferSpecific(closeReason: TidingsError, error: unknown): TidingsError {
  const direct = classifyError(error);
  return direct.code === 'network' && closeReason.code !== 'network' ? closeReason : direct;
}
