/**
 * One IMAP connection, every call under a deadline. imapflow never reconnects (one
 * `connect()` per instance), has no per-command timeout and emits a raw `error` that crashes
 * the process without a listener; this wrapper owns exactly one ImapFlow, listens for
 * `error` from before `connect()` until it is dropped, and turns any missed deadline into a
 * destroyed socket. A closed session is thrown away; the watcher makes a new one.
 */
import { ImapFlow, type FetchMessageObject } from 'imapflow';
// imapflow's own modified-UTF-7 mailbox name coding (RFC 3501 §5.1.3), exported through its
// package.json's "./lib/*.js" entry: NOTIFY's mailbox list and its STATUS answers need it.
import { decodePath, encodePath } from 'imapflow/lib/tools.js';
import { formatSeconds, withDeadline } from '../base/index.js';
import { classifyError, TidingsError } from '../base/index.js';
import { sanitizeServerText } from '../base/index.js';
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

/** What STATUS (asked, or sent by NOTIFY) told us about a mailbox that is not selected. */
export interface MailboxStatus {
  /** The name, decoded from modified UTF-7. */
  path: string;
  /** The name as the server sent it (Dovecot's NOTIFY sends raw UTF-8, see `status`). */
  rawPath?: string;
  uidValidity?: number;
  uidNext?: number;
  messages?: number;
  unseen?: number;
  highestModseq?: string;
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
  private readonly alertListeners = new Set<(text: string) => void>();
  private readonly statusListeners = new Set<(status: MailboxStatus) => void>();
  private lastAlert: string | undefined;
  // Set when the server throttled a command: the connection ends for that reason.
  private throttled: TidingsError | undefined;

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
    this.closeOnBye();
    this.watchResponseCodes();
    this.neverParkOnThrottle();
  }

  /**
   * RFC 3501 §7.1: the human-readable text of an `[ALERT]` "MUST be presented to the user".
   * Gmail sends them (`[ALERT] Please log in via your web browser…`); a tagged NO [ALERT]
   * reaches the user as the failure's text, an untagged one only through here. imapflow 2.1.2
   * has no alert event and drops an untagged OK outside a command that asked for it; every
   * untagged response goes through its `getUntaggedHandler(command, attributes)` (imap-flow.js,
   * one call site in the reader), which is where the section code and text are read. Gmail's
   * and Exchange's untagged `[THROTTLED]` are logged the same way: the commands still run.
   */
  private watchResponseCodes(): void {
    const client = this.client as unknown as {
      getUntaggedHandler?: (command: string, attributes: unknown) => unknown;
    };
    const lookUp = client.getUntaggedHandler;
    if (typeof lookUp !== 'function') return;
    client.getUntaggedHandler = (command: string, attributes: unknown) => {
      const name = typeof command === 'string' ? command.toUpperCase() : '';
      if (['OK', 'NO', 'BAD', 'BYE'].includes(name)) this.noteResponseCode(attributes);
      return lookUp.call(this.client, command, attributes);
    };
  }

  private noteResponseCode(attributes: unknown): void {
    if (!Array.isArray(attributes)) return;
    const first = attributes[0] as { section?: Array<{ value?: unknown }> } | undefined;
    const code = String(first?.section?.[0]?.value ?? '').toUpperCase();
    if (code !== 'ALERT' && code !== 'THROTTLED') return;
    const text = sanitizeServerText(
      attributes
        .filter((attribute) => (attribute as { type?: unknown })?.type === 'TEXT')
        .map((attribute) => String((attribute as { value?: unknown }).value ?? '').trim())
        .join(' '),
    );
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
   * Microsoft 365 answers a throttled command with `BAD Request is throttled. Suggested Backoff
   * Time: N milliseconds`; imapflow 2.1.2 then parks its reader for up to half the socket
   * timeout (`throttleWait` in imap-flow.js) before it rejects with ETHROTTLE. Parked, the
   * command would outlive our deadline and read as a dead connection. Waiting is the watcher's
   * business (backoff, with the connection dropped): the rejection comes at once, the server's
   * suggestion kept in the error (`retryAfterMs`), and the connection ends. Its FETCH command
   * (commands/fetch.js) would retry a throttled FETCH three times through the same
   * `throttleWait`: the second wait answers "aborted", so no retry goes out.
   */
  private neverParkOnThrottle(): void {
    const client = this.client as unknown as { throttleWait?: (delay: number) => Promise<boolean> };
    if (typeof client.throttleWait !== 'function') return;
    client.throttleWait = async (delay: number) => {
      if (this.throttled) return true;
      this.throttled = new TidingsError(
        'network',
        `throttled by the server (it asks us to wait ${formatSeconds(delay)})`,
        { retryAfterMs: delay },
      );
      this.closeReason ??= this.throttled;
      // Not from inside imapflow's response handler: the close runs once it has returned.
      setImmediate(() => this.destroy());
      return false;
    };
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
   * RFC 3501 §7.1.5: an untagged BYE says the server is about to close. imapflow notes it and
   * waits for the socket to close, so a server whose FIN never comes would leave us idling
   * until the heartbeat, the reason lost. Its `serverBye` (imap-flow.js in 2.1.2; there is no
   * BYE event) is the one place to learn of it: the socket is then dropped with the reason,
   * unless our own LOGOUT asked for the BYE.
   */
  private closeOnBye(): void {
    const client = this.client as unknown as { serverBye?: (parsed: unknown) => Promise<void> };
    const serverBye = client.serverBye;
    if (typeof serverBye !== 'function') return;
    client.serverBye = async (parsed: unknown) => {
      await serverBye.call(this.client, parsed);
      if (this.loggingOut) return;
      this.closeReason ??= byeError(this.client.byeReason);
      // Not from inside imapflow's response handler: the close runs once it has returned.
      setImmediate(() => this.destroy());
    };
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
    const client = new ImapFlow(toImapFlowOptions(options, tlsOptions));
    const session = new ImapSession(client, options);
    const abort = () => session.destroy(new TidingsError('network', 'stopped'));
    signal?.addEventListener('abort', abort, { once: true });
    try {
      if (signal?.aborted) abort();
      await session.call('connect and login', client.connect());
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

  /**
   * NOTIFY SET STATUS (RFC 5465) for `mailboxes`: MessageNew, MessageExpunge and FlagChange
   * (and MailboxName, see `onMailboxListed`),
   * for the selected mailbox as EXISTS / EXPUNGE / FETCH, for the others as untagged STATUS
   * (see `onMailboxStatus`); STATUS first sends every listed mailbox's status at once. imapflow
   * 2.1.2 has no NOTIFY: the command goes through its `exec` (the internal path its own
   * commands use: attributes as its compiler takes them, nested arrays for lists).
   */
  /** imapflow's internal command path (`exec` in imap-flow.js, 2.1.2), pinned by a test. */
  private exec(
    command: string,
    attributes: unknown,
    options?: { untagged?: Record<string, (untagged: { attributes?: unknown[] }) => unknown> },
  ): Promise<{ next(): void }> {
    const client = this.client as unknown as {
      exec(command: string, attributes: unknown, options?: unknown): Promise<{ next(): void }>;
    };
    return client.exec(command, attributes, options);
  }

  /** True when `path` goes on the wire in modified UTF-7 (non-ASCII, or an `&`). */
  encodesName(path: string): boolean {
    return encodePath(this.client, path) !== path;
  }

  async notifySet(mailboxes: readonly string[]): Promise<void> {
    const atom = (value: string) => ({ type: 'ATOM', value });
    const events = [atom('MessageNew'), atom('MessageExpunge'), atom('FlagChange')];
    const listEvents = [...events, atom('MailboxName')];
    const names = mailboxes.map((path) => ({
      type: 'STRING',
      value: encodePath(this.client, path),
    }));
    const attributes = [
      atom('SET'),
      atom('STATUS'),
      [atom('selected'), events],
      [atom('mailboxes'), names, listEvents],
    ];
    const response = await this.call(
      'NOTIFY',
      this.exec('NOTIFY', attributes).catch((error: unknown) => {
        const { responseStatus, responseText } = error as {
          responseStatus?: string;
          responseText?: string;
        };
        if (responseStatus !== 'NO' && responseStatus !== 'BAD') throw error;
        const reason = sanitizeServerText(responseText) || responseStatus;
        throw new TidingsError('protocol', `NOTIFY refused: ${reason}`, { cause: error });
      }),
    );
    response.next();
  }

  /**
   * Calls `listener` for every untagged STATUS outside a STATUS command: what NOTIFY sends for
   * mailboxes that are not selected. imapflow routes an untagged response to the running
   * command's handler first, then to `untaggedHandlers` by name (getUntaggedHandler in
   * imap-flow.js, 2.1.2), where it has none for STATUS and drops it: ours goes there.
   */
  onMailboxStatus(listener: (status: MailboxStatus) => void): void {
    this.statusListeners.add(listener);
    const handlers = (this.client as unknown as { untaggedHandlers: Record<string, unknown> })
      .untaggedHandlers;
    handlers.STATUS = (untagged: { attributes?: unknown[] }) => this.pushedStatus(untagged);
  }

  private pushedStatus(untagged: { attributes?: unknown[] }): void {
    const status = parseStatus(untagged.attributes, (raw) => decodePath(this.client, raw));
    if (status) for (const listener of this.statusListeners) listener(status);
  }

  /**
   * Calls `listener` for every untagged LIST outside a LIST command: NOTIFY's MailboxName
   * event (RFC 5465 §5.4), `\NonExistent` for a deleted mailbox, without it for a new one.
   * The same routing as STATUS above: imapflow's LIST command keeps its own handler.
   */
  onMailboxListed(listener: (path: string, exists: boolean) => void): void {
    const handlers = (this.client as unknown as { untaggedHandlers: Record<string, unknown> })
      .untaggedHandlers;
    handlers.LIST = (untagged: { attributes?: unknown[] }) => {
      const [flags, , name] = untagged.attributes ?? [];
      const raw = nameOf(name);
      if (raw === undefined || !Array.isArray(flags)) return;
      const gone = flags.some(
        (flag) => String((flag as { value?: unknown }).value).toLowerCase() === '\\nonexistent',
      );
      listener(decodePath(this.client, raw), !gone);
    };
  }

  /**
   * STATUS of a mailbox that is not selected (UIDNEXT, UIDVALIDITY, UNSEEN, MESSAGES…). Not
   * imapflow's `status()`: its command takes every untagged STATUS while it runs, whatever
   * mailbox it names (commands/status.js, 2.1.2), so a NOTIFY push for another mailbox that
   * came meanwhile would vanish into the answer. Here only the asked mailbox's line answers;
   * any other goes to the NOTIFY listeners.
   */
  async status(path: string): Promise<MailboxStatus> {
    const items = ['UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'MESSAGES'];
    if (this.has('CONDSTORE')) items.push('HIGHESTMODSEQ');
    const encoded = encodePath(this.client, path);
    let answer: MailboxStatus | undefined;
    const onStatus = (untagged: { attributes?: unknown[] }) => {
      const status = parseStatus(untagged.attributes, (raw) => decodePath(this.client, raw));
      if (status && (status.rawPath === encoded || samePath(status.path, path))) answer = status;
      else this.pushedStatus(untagged);
    };
    const asking = this.exec(
      'STATUS',
      [{ type: 'STRING', value: encoded }, items.map((value) => ({ type: 'ATOM', value }))],
      { untagged: { STATUS: onStatus } },
    ).catch((error: unknown) => {
      const { responseStatus, responseText } = error as {
        responseStatus?: string;
        responseText?: string;
      };
      if (responseStatus !== 'NO' && responseStatus !== 'BAD') throw error;
      const classified = classifyError(error);
      if (classified.code === 'network') throw classified;
      const reason = sanitizeServerText(responseText) || responseStatus;
      throw new TidingsError('mailbox', `mailbox not found: ${path} (${reason})`, { cause: error });
    });
    const response = await this.call(`STATUS ${path}`, asking);
    response.next();
    if (!answer) throw new TidingsError('protocol', `STATUS ${path}: the server sent no status`);
    return { ...answer, path };
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
    const opening = this.client.mailboxOpen(path, { readOnly: true }).catch((error: unknown) => {
      // A tagged NO to SELECT: the mailbox is gone (RFC 5530 NONEXISTENT) or not ours to read.
      const { responseStatus, responseText } = error as {
        responseStatus?: string;
        responseText?: string;
      };
      if (responseStatus !== 'NO') throw error;
      // A NO that refuses for now (THROTTLED, too many connections) says nothing of the mailbox.
      const classified = classifyError(error);
      if (classified.code === 'network') throw classified;
      const reason = sanitizeServerText(responseText) || 'NO';
      throw new TidingsError('mailbox', `mailbox not found: ${path} (${reason})`, { cause: error });
    });
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
   * ENVELOPE does not carry it) for the messages with UIDs from `first` to `last`.
   */
  async fetchRange(first: number, last: number): Promise<FetchMessageObject[]> {
    const messages = await this.call(
      'UID FETCH',
      this.client.fetchAll(
        `${first}:${last}`,
        { uid: true, flags: true, envelope: true, headers: ['list-id'] },
        { uid: true },
      ),
    );
    // A UID outside the range asked for (a confused server) must not move the cursor.
    return messages.filter((message) => message.uid >= first && message.uid <= last);
  }

  /** The raw lines of header `fields` of the messages `uids` (BODY.PEEK[HEADER.FIELDS]). */
  async rawHeaders(uids: readonly number[], fields: string[]): Promise<Map<number, Buffer>> {
    const messages = await this.call(
      'UID FETCH',
      this.client.fetchAll(uids.join(','), { uid: true, headers: fields }, { uid: true }),
    );
    return new Map(messages.flatMap((m) => (m.headers ? [[m.uid, m.headers] as const] : [])));
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
    // imapflow has no public "end IDLE": its IDLE command (commands/idle.js in 2.1.2) installs
    // `preCheck`, which sends DONE and which run() calls before any command. Calling it
    // directly saves the NOOP round trip that a public command would cost. Should a later
    // imapflow drop it, a NOOP ends IDLE the same way (noop() swallows errors; hence usable).
    const preCheck = (this.client as unknown as { preCheck?: unknown }).preCheck;
    const done =
      typeof preCheck === 'function'
        ? (preCheck.call(this.client) as Promise<void>)
        : this.client.noop();
    await this.call('DONE', Promise.all([idleEnded, done]), deadlineMs);
    if (!this.usable) throw this.closeReason ?? new TidingsError('network', 'connection lost');
  }

  /** Lists the account's mailboxes (for the settings window's picker). */
  async listMailboxes(): Promise<string[]> {
    const list = await this.call('LIST', this.client.list());
    return list.filter((entry) => !entry.flags.has('\\Noselect')).map((entry) => entry.path);
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

  /** Runs `work` under the command deadline, also failing at once if the connection closes. */
  private async call<T>(
    what: string,
    work: Promise<T>,
    deadlineMs = this.options.commandTimeoutMs,
  ): Promise<T> {
    try {
      return await withDeadline(this.options.clock, this.raceClose(work), deadlineMs, what, () =>
        this.destroy(),
      );
    } catch (error) {
      const failure =
        this.closeReason && !(error instanceof TidingsError && error.code === 'timeout')
          ? preferSpecific(this.closeReason, error)
          : classifyError(error);
      // After a throttle, whatever imapflow rejects with (a FETCH retry it gave up) is the throttle.
      throw this.throttled && failure.retryAfterMs === undefined ? this.throttled : failure;
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

/** Reads `* STATUS name (KEY value …)`; anything malformed (a confused server) is dropped. */
function parseStatus(
  attributes: unknown[] | undefined,
  decode: (raw: string) => string,
): MailboxStatus | undefined {
  const [name, list] = attributes ?? [];
  const raw = nameOf(name);
  if (raw === undefined || !Array.isArray(list)) return undefined;
  const status: MailboxStatus = { path: decode(raw), rawPath: raw };
  for (let i = 0; i + 1 < list.length; i += 2) {
    const key = (list[i] as { value?: unknown }).value;
    const value = (list[i + 1] as { value?: unknown }).value;
    // Only a bounded run of digits is a number here; anything else is left out.
    if (typeof key !== 'string' || typeof value !== 'string' || !/^\d{1,20}$/.test(value)) {
      continue;
    }
    switch (key.toUpperCase()) {
      case 'UIDNEXT':
        status.uidNext = Number(value);
        break;
      case 'UIDVALIDITY':
        status.uidValidity = Number(value);
        break;
      case 'MESSAGES':
        status.messages = Number(value);
        break;
      case 'UNSEEN':
        status.unseen = Number(value);
        break;
      case 'HIGHESTMODSEQ':
        status.highestModseq = value;
        break;
    }
  }
  return status;
}

/** A mailbox name token: an atom or quoted string, or a literal (imapflow gives a Buffer). */
function nameOf(token: unknown): string | undefined {
  const value = (token as { value?: unknown } | undefined)?.value;
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

/** INBOX is case-insensitive (RFC 3501 §5.1); every other name is exact. */
export function samePath(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
}

function isInvalidName(host: string): boolean {
  return /(^|\.)invalid\.?$/i.test(host);
}

// The connection-level error (auth, TLS) says more than imapflow's generic "NoConnection".
function preferSpecific(closeReason: TidingsError, error: unknown): TidingsError {
  const direct = classifyError(error);
  return direct.code === 'network' && closeReason.code !== 'network' ? closeReason : direct;
}
